import pino from 'pino';
import { createClock } from '../../../timeline/clock.js';
import type { TimelineEvent } from '../../../timeline/timeline-event.js';
import type { ActionContext, ActionDef, Phase, ProbeContext, ResourceRef } from '../../types.js';
import { AwsSession, type AwsRunSettings } from '../aws-session.js';
import { FakeAws, type FakeAwsOptions } from './fake-aws.js';

export const ALLOW = [{ Key: 'lifeboat:drill', Value: 'allowed' }];
export const AMI = 'ami-0123456789abcdef0';
export const APP1 = 'i-0aaaaaaaaaaaaaaa1';
export const APP2 = 'i-0aaaaaaaaaaaaaaa2';

/**
 * A fake AWS with a small estate, the same in every test: a Multi-AZ primary (tagged), its
 * cross-region read replica (tagged), an untagged Single-AZ instance, an Aurora cluster of two,
 * two EC2 instances (one tagged), an AMI in us-west-2, a hosted zone, two buckets, a tagged FIS
 * template and a CloudWatch alarm.
 */
export function fakeWorld(opts: FakeAwsOptions = {}): FakeAws {
  const fake = new FakeAws(opts);
  const s = fake.state;
  const db = (id: string, extra: Record<string, unknown> = {}) =>
    s.rds.set(id, {
      DBInstanceIdentifier: id,
      DBInstanceStatus: 'available',
      Engine: 'postgres',
      MultiAZ: false,
      AvailabilityZone: 'us-east-1a',
      BackupRetentionPeriod: 7,
      Endpoint: { Address: `${id}.fake.rds.amazonaws.com`, Port: 5432 },
      TagList: ALLOW,
      next: [],
      ...extra,
    });
  db('orders-primary', { MultiAZ: true, SecondaryAvailabilityZone: 'us-east-1b' });
  db('orders-dr', { AvailabilityZone: 'us-west-2a', ReadReplicaSourceDBInstanceIdentifier: 'arn:aws:rds:us-east-1:123456789012:db:orders-primary' });
  db('orders-single', { TagList: [], BackupRetentionPeriod: 0 });
  db('aurora-a', { Engine: 'aurora-postgresql' });
  db('aurora-b', { Engine: 'aurora-postgresql' });
  s.clusters.set('orders-aurora', {
    DBClusterIdentifier: 'orders-aurora',
    Status: 'available',
    Engine: 'aurora-postgresql',
    Endpoint: 'orders-aurora.cluster-fake.us-east-1.rds.amazonaws.com',
    Port: 5432,
    DBClusterMembers: [
      { DBInstanceIdentifier: 'aurora-a', IsClusterWriter: true },
      { DBInstanceIdentifier: 'aurora-b', IsClusterWriter: false },
    ],
    TagList: ALLOW,
    next: [],
  });
  for (let i = 1; i <= 5; i++)
    s.snapshots.push({ DBSnapshotIdentifier: `orders-primary-snap-${i}`, DBInstanceIdentifier: 'orders-primary', Status: i === 5 ? 'creating' : 'available', SnapshotCreateTime: new Date(Date.UTC(2026, 10, i)) });
  const vm = (id: string, name: string, tags: Array<{ Key: string; Value: string }>) =>
    s.ec2.set(id, { InstanceId: id, State: { Name: 'running' }, Tags: [{ Key: 'Name', Value: name }, ...tags], Placement: { AvailabilityZone: 'us-east-1a' }, PrivateIpAddress: '10.0.0.1', next: [] });
  vm(APP1, 'app-1', ALLOW);
  vm(APP2, 'app-2', []);
  s.images.set('us-west-2', new Set([AMI]));
  s.zones.add('Z0FAKE');
  s.records.set('Z0FAKE|db.example.com|CNAME', ['orders-primary.fake.rds.amazonaws.com']);
  s.buckets.set('orders-data', new Map());
  s.buckets.set('orders-data-replica', new Map());
  s.templates.set('EXTfake1', { 'lifeboat:drill': 'allowed' });
  s.templates.set('EXTuntagged', {});
  s.alarms.set('orders-errors', 'OK');
  return fake;
}

/** Settings that make waiters and retries fast against the fake. */
export const FAST: AwsRunSettings = { pollIntervalMs: 2, retryMinDelayMs: 1, retryMaxDelayMs: 4, region: 'us-east-1' };

/** A resource reference as a run resolves it. */
export const ref = (name: string, type: string, spec: Record<string, unknown>): ResourceRef => ({ name, type, spec });

/** Runs one action (or its isDone) against the fake, as the executor would, with an AWS session. */
export function actionContext(session: AwsSession, opts: { target?: ResourceRef; resources?: ResourceRef[]; phase?: Phase; stepId?: string; signal?: AbortSignal; events?: TimelineEvent[] } = {}): ActionContext {
  const all = new Map([...(opts.resources ?? []), ...(opts.target ? [opts.target] : [])].map((r) => [r.name, r]));
  return {
    runId: 'run-test',
    clock: createClock(),
    log: pino({ level: 'silent' }),
    resource: (n) => all.get(n)!,
    resourceType: () => undefined,
    record: (e) => opts.events?.push(e),
    stepId: opts.stepId ?? 'step',
    phase: opts.phase ?? 'failover',
    signal: opts.signal ?? new AbortController().signal,
    ...(opts.target ? { target: opts.target } : {}),
    outputs: {},
    session,
  };
}

/** A probe context over the fake. */
export function probeContext(session: AwsSession, endpoints: ResourceRef[], events: TimelineEvent[] = [], probeName = 'probe'): ProbeContext {
  return { ...actionContext(session, { resources: endpoints, events }), probeName, endpoints, attempt: 1 };
}

/** Runs an action with parsed parameters. */
export async function runAction<P extends Record<string, unknown>>(def: ActionDef<P>, ctx: ActionContext, params: Record<string, unknown> = {}) {
  return def.run(ctx, def.params.parse(params) as P);
}
