import { afterEach, describe, expect, it } from 'vitest';
import { AwsSession } from './aws-session.js';
import { failoverCluster, promoteReplica, rebootInstance, restorePointInTime, restoreSnapshot } from './rds-actions.js';
import type { FakeAws } from './testing/fake-aws.js';
import { actionContext, FAST, fakeWorld, ref, runAction } from './testing/fake-world.js';

let fake: FakeAws;
afterEach(() => fake?.restore());
const dr = ref('dr', 'aws.rds.instance', { id: 'orders-dr', region: 'us-west-2' });
const primary = ref('primary', 'aws.rds.instance', { id: 'orders-primary', region: 'us-east-1' });
const aurora = ref('aurora', 'aws.rds.cluster', { id: 'orders-aurora' });
const statuses = (f: FakeAws) => f.callsOf('DescribeDBInstances').length;

describe('aws.rds.promote-replica', () => {
  it('waits past the stale `available` and `modifying` until the source is gone and the instance available', async () => {
    fake = fakeWorld();
    const session = new AwsSession(FAST);
    const out = await runAction(promoteReplica, actionContext(session, { target: dr }));
    expect(out).toEqual({ instanceId: 'orders-dr', endpoint: 'orders-dr.fake.rds.amazonaws.com', port: 5432, status: 'available' });
    const db = fake.state.rds.get('orders-dr')!;
    expect(db.ReadReplicaSourceDBInstanceIdentifier).toBeUndefined();
    // One describe before the call, then: available (stale), modifying, modifying without source, available.
    expect(statuses(fake)).toBe(5);
    expect(fake.callsOf('PromoteReadReplica')).toHaveLength(1);
    // The resource's own region wins over --region.
    expect(fake.callsOf('PromoteReadReplica')[0]!.region).toBe('us-west-2');
  });

  it('an attempt that finds the promotion under way waits for it: no call while `modifying`, a refused call right after the first one', async () => {
    fake = fakeWorld();
    const session = new AwsSession(FAST);
    // As if an earlier attempt had sent the promote and died: AWS still shows the source.
    const db = fake.state.rds.get('orders-dr')! as { promoting?: boolean; next: unknown[]; DBInstanceStatus?: string };
    db.promoting = true;
    db.DBInstanceStatus = 'modifying';
    db.next.push({ ReadReplicaSourceDBInstanceIdentifier: undefined }, { DBInstanceStatus: 'available' });
    await expect(runAction(promoteReplica, actionContext(session, { target: dr }))).resolves.toMatchObject({ instanceId: 'orders-dr', status: 'available' });
    expect(fake.callsOf('PromoteReadReplica')).toHaveLength(0);

    // Right after the first call it may still read `available`: the second promote is refused
    // (InvalidDBInstanceStateFault) and the attempt waits instead of failing.
    fake.state.rds.get('orders-dr')!.ReadReplicaSourceDBInstanceIdentifier = 'orders-primary';
    db.DBInstanceStatus = 'available';
    db.next.push({ DBInstanceStatus: 'modifying' }, { ReadReplicaSourceDBInstanceIdentifier: undefined }, { DBInstanceStatus: 'available' });
    await expect(runAction(promoteReplica, actionContext(session, { target: dr }))).resolves.toMatchObject({ instanceId: 'orders-dr', status: 'available' });
    expect(fake.state.rds.get('orders-dr')!.ReadReplicaSourceDBInstanceIdentifier).toBeUndefined();
  });

  it('isDone gives the promoted instance’s endpoint as the output, and says not done for a replica', async () => {
    fake = fakeWorld();
    const session = new AwsSession(FAST);
    expect(await promoteReplica.isDone!(actionContext(session, { target: dr }), {})).toBe(false);
    fake.state.rds.get('orders-dr')!.ReadReplicaSourceDBInstanceIdentifier = undefined;
    expect(await promoteReplica.isDone!(actionContext(session, { target: dr }), {})).toEqual({
      done: true,
      output: { instanceId: 'orders-dr', endpoint: 'orders-dr.fake.rds.amazonaws.com', port: 5432, status: 'available' },
    });
  });

  it('ends at once when access is denied to the call, naming the action, resource and permission', async () => {
    fake = fakeWorld();
    fake.deny.set('rds:PromoteReadReplica', 0);
    await expect(runAction(promoteReplica, actionContext(new AwsSession(FAST), { target: dr }))).rejects.toThrow(
      /aws.rds.promote-replica on resource "dr": access denied for rds:PromoteReadReplica/,
    );
    expect(fake.callsOf('PromoteReadReplica')).toHaveLength(1);
  });

  it('ends the waiter at once when access is denied inside it (no polling until a timeout)', async () => {
    fake = fakeWorld();
    fake.deny.set('rds:DescribeDBInstances', 2); // the describe before, and the first poll
    const t = performance.now();
    await expect(runAction(promoteReplica, actionContext(new AwsSession(FAST), { target: dr }))).rejects.toThrow(
      /aws.rds.promote-replica on resource "dr": access denied for rds:DescribeDBInstances/,
    );
    expect(statuses(fake)).toBe(3);
    expect(performance.now() - t).toBeLessThan(1000);
  });
});

describe('aws.rds.failover-cluster', () => {
  it('is done when the writer has changed and the cluster is available, not while it fails over', async () => {
    fake = fakeWorld();
    const out = await runAction(failoverCluster, actionContext(new AwsSession(FAST), { target: aurora }));
    expect(out).toEqual({ writer: 'aurora-b', previousWriter: 'aurora-a', endpoint: 'orders-aurora.cluster-fake.us-east-1.rds.amazonaws.com' });
    // Before, then: available with the old writer, failing-over, available with the new one.
    expect(fake.callsOf('DescribeDBClusters')).toHaveLength(4);
  });

  it('refuses a target that is the writer already; isDone recognises the named writer', async () => {
    fake = fakeWorld();
    const session = new AwsSession(FAST);
    await expect(runAction(failoverCluster, actionContext(session, { target: aurora }), { targetInstance: 'aurora-a' })).rejects.toThrow(/aurora-a is the writer already/);
    expect(await failoverCluster.isDone!(actionContext(session, { target: aurora }), { targetInstance: 'aurora-a' })).toMatchObject({ done: true, output: { writer: 'aurora-a' } });
    expect(await failoverCluster.isDone!(actionContext(session, { target: aurora }), { targetInstance: 'aurora-b' })).toBe(false);
  });
});

describe('aws.rds.reboot', () => {
  it('with failover: done only after it was seen rebooting, in the other zone', async () => {
    fake = fakeWorld();
    const out = await runAction(rebootInstance, actionContext(new AwsSession(FAST), { target: primary, phase: 'fault' }));
    expect(out).toEqual({ availabilityZone: 'us-east-1b', previousAvailabilityZone: 'us-east-1a' });
    expect(fake.callsOf('RebootDBInstance')[0]!.input).toEqual({ DBInstanceIdentifier: 'orders-primary', ForceFailover: true });
    expect(statuses(fake)).toBe(4);
  });
});

describe('restores create a new instance whose endpoint is the output', () => {
  it('aws.rds.restore-point-in-time waits for the new instance and outputs its endpoint; isDone finds it', async () => {
    fake = fakeWorld();
    const session = new AwsSession(FAST);
    const ctx = actionContext(session, { target: primary });
    expect(await restorePointInTime.isDone!(ctx, { newInstanceId: 'orders-pitr' })).toBe(false);
    const out = await runAction(restorePointInTime, ctx, { newInstanceId: 'orders-pitr' });
    expect(out).toEqual({ instanceId: 'orders-pitr', endpoint: 'orders-pitr.fake.rds.amazonaws.com', port: 5432, status: 'available' });
    expect(fake.callsOf('RestoreDBInstanceToPointInTime')[0]!.input).toMatchObject({ SourceDBInstanceIdentifier: 'orders-primary', UseLatestRestorableTime: true });
    expect(await restorePointInTime.isDone!(ctx, { newInstanceId: 'orders-pitr' })).toMatchObject({ done: true, output: { endpoint: 'orders-pitr.fake.rds.amazonaws.com' } });
    // A retried attempt whose create went through waits for that instance instead of failing.
    expect(await runAction(restorePointInTime, ctx, { newInstanceId: 'orders-pitr' })).toMatchObject({ instanceId: 'orders-pitr' });
  });

  it('aws.rds.restore-snapshot `latest` reads every page of snapshots and picks the newest available one', async () => {
    fake = fakeWorld();
    const out = await runAction(restoreSnapshot, actionContext(new AwsSession(FAST), { target: primary }), { newInstanceId: 'orders-restored' });
    expect(out).toMatchObject({ snapshot: 'orders-primary-snap-4', instanceId: 'orders-restored', endpoint: 'orders-restored.fake.rds.amazonaws.com' });
    expect(fake.callsOf('DescribeDBSnapshots')).toHaveLength(3);
  });
});
