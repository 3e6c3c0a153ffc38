import { afterEach, describe, expect, it } from 'vitest';
import { AwsSession } from './aws-session.js';
import { rdsClusterType, rdsInstanceType } from './rds-resources.js';
import type { FakeAws } from './testing/fake-aws.js';
import { actionContext, FAST, fakeWorld, ref } from './testing/fake-world.js';

let fake: FakeAws;
afterEach(() => fake?.restore());

describe('the postgres capability of RDS resources', () => {
  it('connects to the instance’s endpoint, looked up once in the run’s AWS session (the first connect waits for it)', async () => {
    fake = fakeWorld();
    const session = new AwsSession(FAST);
    const ctx = { ...actionContext(session), sessionOf: (p: string) => (p === 'aws' ? session : undefined) };
    const dr = ref('dr', 'aws.rds.instance', { id: 'orders-dr', user: 'app', database: 'orders', password: 'pw', sslmode: 'require' });
    expect(() => rdsInstanceType.postgres!(dr, ctx)).toThrow(/endpoint not known yet/);
    await session.resolving.get('dr');
    expect(rdsInstanceType.postgres!(dr, ctx)).toEqual([{ host: 'orders-dr.fake.rds.amazonaws.com', port: 5432, user: 'app', database: 'orders', password: 'pw', ssl: true }]);
    rdsInstanceType.postgres!(dr, ctx);
    expect(fake.callsOf('DescribeDBInstances')).toHaveLength(1);
  });

  it('a cluster connects to its writer endpoint', async () => {
    fake = fakeWorld();
    const session = new AwsSession(FAST);
    const ctx = { ...actionContext(session), sessionOf: () => session };
    const c = ref('c', 'aws.rds.cluster', { id: 'orders-aurora', user: 'app' });
    expect(() => rdsClusterType.postgres!(c, ctx)).toThrow(/not known yet/);
    await session.resolving.get('c');
    expect(rdsClusterType.postgres!(c, ctx)[0]).toMatchObject({ host: 'orders-aurora.cluster-fake.us-east-1.rds.amazonaws.com', port: 5432 });
  });
});
