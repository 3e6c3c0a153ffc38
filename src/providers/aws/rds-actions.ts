import { z } from 'zod';
import { ProviderError } from '../../errors.js';
import type { ActionDef } from '../types.js';
import { awsSession, requireTarget, targetOf, waitUntil, what } from './aws-session.js';
import { describeDbCluster, describeDbInstance, findDbInstance, isAlreadyExists, writerOf } from './rds-describe.js';

const ALL = ['fault', 'failover', 'failback'] as const;
const DESCRIBE = 'rds:DescribeDBInstances';
const NewId = z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,62}$|^\$\{.+\}$/, { message: 'expected a DB identifier' });

/** Connection output of an instance that is available. */
const endpointOutput = (db: any) => ({ instanceId: db.DBInstanceIdentifier, endpoint: db.Endpoint?.Address, port: db.Endpoint?.Port, status: db.DBInstanceStatus });

/** Promoted: no source any more, and available (right after the call it may still read `available` from before). */
const promoted = (db: any) => !db.ReadReplicaSourceDBInstanceIdentifier && db.DBInstanceStatus === 'available';

export const promoteReplica: ActionDef<{ backupRetentionDays?: number }> = {
  name: 'aws.rds.promote-replica',
  description: 'Promotes an RDS read replica (also cross-region) to a standalone instance; done when it has no source and is available.',
  phases: ['failover', 'failback'],
  target: 'required',
  targetTypes: ['aws.rds.instance'],
  params: z.object({ backupRetentionDays: z.int().min(0).max(35).optional().describe('Backup retention of the promoted instance.') }),
  mutates: true,
  permissions: ['rds:PromoteReadReplica', DESCRIBE],
  async run(ctx, p) {
    const s = awsSession(ctx);
    const ref = requireTarget(ctx);
    const w = what(this.name, ref);
    const rds = await import('@aws-sdk/client-rds');
    const before = await describeDbInstance(s, ref, w, ctx.signal);
    // A retried or resumed attempt whose promotion already began only waits: a promotion under
    // way still has its source and reads `modifying` for minutes. Right after the call it can
    // still read `available`; a second promote is then refused as an invalid state, which also
    // means "under way".
    if (before.ReadReplicaSourceDBInstanceIdentifier && before.DBInstanceStatus !== 'modifying') {
      try {
        await s.call(
          'rds',
          targetOf(ref),
          new rds.PromoteReadReplicaCommand({ DBInstanceIdentifier: String(ref.spec.id), ...(p.backupRetentionDays !== undefined ? { BackupRetentionPeriod: p.backupRetentionDays } : {}) }),
          w,
          ctx.signal,
        );
      } catch (err) {
        if ((err as { cause?: { name?: string } }).cause?.name !== 'InvalidDBInstanceStateFault') throw err;
        ctx.log.warn({ step: ctx.stepId, resource: ref.name }, 'the replica refused a promote in its current state: a promotion is taken to be under way; waiting for it');
      }
    }
    const db = await waitUntil({
      what: w,
      until: 'the replica to have no source and be available',
      signal: ctx.signal,
      intervalMs: s.pollIntervalMs,
      poll: async () => {
        const db = await describeDbInstance(s, ref, w, ctx.signal);
        return promoted(db) ? db : undefined;
      },
    });
    return endpointOutput(db);
  },
  async isDone(ctx) {
    const db = await describeDbInstance(awsSession(ctx), requireTarget(ctx), what(this.name, ctx.target), ctx.signal);
    return promoted(db) ? { done: true, output: endpointOutput(db) } : false;
  },
};

export const failoverCluster: ActionDef<{ targetInstance?: string }> = {
  name: 'aws.rds.failover-cluster',
  description: 'Fails an Aurora cluster over to another member (optionally a given one); done when the writer has changed and the cluster is available.',
  phases: ALL,
  target: 'required',
  targetTypes: ['aws.rds.cluster'],
  params: z.object({ targetInstance: z.string().min(1).optional().describe('DB instance of the cluster that becomes the writer (default: RDS picks one).') }),
  mutates: true,
  permissions: ['rds:FailoverDBCluster', 'rds:DescribeDBClusters'],
  async run(ctx, p) {
    const s = awsSession(ctx);
    const ref = requireTarget(ctx);
    const w = what(this.name, ref);
    const rds = await import('@aws-sdk/client-rds');
    const previous = writerOf(await describeDbCluster(s, ref, w, ctx.signal));
    if (p.targetInstance !== undefined && p.targetInstance === previous) throw new ProviderError(`${w}: ${previous} is the writer already`, { retryable: false });
    await s.call(
      'rds',
      targetOf(ref),
      new rds.FailoverDBClusterCommand({ DBClusterIdentifier: String(ref.spec.id), ...(p.targetInstance ? { TargetDBInstanceIdentifier: p.targetInstance } : {}) }),
      w,
      ctx.signal,
    );
    const c = await waitUntil({
      what: w,
      until: 'the writer to change',
      signal: ctx.signal,
      intervalMs: s.pollIntervalMs,
      poll: async () => {
        const c = await describeDbCluster(s, ref, w, ctx.signal);
        const writer = writerOf(c);
        const changed = writer !== undefined && writer !== previous && (p.targetInstance === undefined || writer === p.targetInstance);
        return changed && c.Status === 'available' ? c : undefined;
      },
    });
    return { writer: writerOf(c), previousWriter: previous, endpoint: c.Endpoint };
  },
  // Without a named target a resumed run cannot tell a failover that happened from one that did
  // not: it runs again (the cluster then fails over once more, which a drill survives).
  async isDone(ctx, p) {
    if (p.targetInstance === undefined) return false;
    const c = await describeDbCluster(awsSession(ctx), requireTarget(ctx), what(this.name, ctx.target), ctx.signal);
    return writerOf(c) === p.targetInstance && c.Status === 'available' ? { done: true, output: { writer: writerOf(c), endpoint: c.Endpoint } } : false;
  },
};

export const rebootInstance: ActionDef<{ forceFailover: boolean }> = {
  name: 'aws.rds.reboot',
  description: 'Reboots an RDS instance, by default with failover to its Multi-AZ standby (preflight checks Multi-AZ); done when it was seen rebooting (or in another zone) and is available again.',
  phases: ALL,
  target: 'required',
  targetTypes: ['aws.rds.instance'],
  params: z.object({ forceFailover: z.boolean().default(true).describe('Fail over to the standby (needs Multi-AZ).') }),
  mutates: true,
  permissions: ['rds:RebootDBInstance', DESCRIBE],
  async run(ctx, p) {
    const s = awsSession(ctx);
    const ref = requireTarget(ctx);
    const w = what(this.name, ref);
    const rds = await import('@aws-sdk/client-rds');
    const before = await describeDbInstance(s, ref, w, ctx.signal);
    await s.call('rds', targetOf(ref), new rds.RebootDBInstanceCommand({ DBInstanceIdentifier: String(ref.spec.id), ForceFailover: p.forceFailover }), w, ctx.signal);
    // Right after the call the instance can still read `available`: the reboot is real only once
    // it was seen in another state, or in another zone (a failover that was quicker than a poll).
    let seenRebooting = false;
    const db = await waitUntil({
      what: w,
      until: 'the instance to reboot and be available',
      signal: ctx.signal,
      intervalMs: s.pollIntervalMs,
      poll: async () => {
        const db = await describeDbInstance(s, ref, w, ctx.signal);
        if (db.DBInstanceStatus !== 'available') seenRebooting = true;
        const moved = p.forceFailover && db.AvailabilityZone !== before.AvailabilityZone;
        return db.DBInstanceStatus === 'available' && (seenRebooting || moved) ? db : undefined;
      },
    });
    return { availabilityZone: db.AvailabilityZone, previousAvailabilityZone: before.AvailabilityZone };
  },
};

type RestorePitrParams = { newInstanceId: string; restoreTime?: string; instanceClass?: string };

/** Waits for a restored instance to be available; its endpoint is the step's output. */
async function awaitRestored(ctx: Parameters<ActionDef['run']>[0], name: string, id: string): Promise<Record<string, unknown>> {
  const s = awsSession(ctx);
  const ref = requireTarget(ctx);
  const w = what(name, ref);
  const db = await waitUntil({
    what: w,
    until: `the new instance ${id} to be available`,
    signal: ctx.signal,
    intervalMs: s.pollIntervalMs,
    poll: async () => {
      const db = await findDbInstance(s, ref, w, ctx.signal, id);
      return db?.DBInstanceStatus === 'available' && db.Endpoint?.Address ? db : undefined;
    },
  });
  return endpointOutput(db);
}

/** isDone of a restore: the new instance exists and is available (its endpoint is the output). */
async function restoredAlready(ctx: Parameters<ActionDef['run']>[0], name: string, id: string) {
  const db = await findDbInstance(awsSession(ctx), requireTarget(ctx), what(name, ctx.target), ctx.signal, id);
  return db?.DBInstanceStatus === 'available' ? { done: true, output: endpointOutput(db) } : false;
}

export const restorePointInTime: ActionDef<RestorePitrParams> = {
  name: 'aws.rds.restore-point-in-time',
  description: 'Restores the target instance to a point in time (default: the latest restorable) as a NEW instance; outputs its instanceId, endpoint and port.',
  phases: ['failover', 'failback'],
  target: 'required',
  targetTypes: ['aws.rds.instance'],
  params: z.object({
    newInstanceId: NewId.describe('Identifier of the instance to create.'),
    restoreTime: z.iso.datetime({ offset: true }).optional().describe('ISO time to restore to (default: the latest restorable time).'),
    instanceClass: z.string().optional().describe('DB instance class of the new instance (default: the source’s).'),
  }),
  mutates: true,
  permissions: ['rds:RestoreDBInstanceToPointInTime', DESCRIBE, 'rds:AddTagsToResource'],
  async run(ctx, p) {
    const s = awsSession(ctx);
    const ref = requireTarget(ctx);
    const rds = await import('@aws-sdk/client-rds');
    try {
      await s.call(
        'rds',
        targetOf(ref),
        new rds.RestoreDBInstanceToPointInTimeCommand({
          SourceDBInstanceIdentifier: String(ref.spec.id),
          TargetDBInstanceIdentifier: p.newInstanceId,
          ...(p.restoreTime ? { RestoreTime: new Date(p.restoreTime) } : { UseLatestRestorableTime: true }),
          ...(p.instanceClass ? { DBInstanceClass: p.instanceClass } : {}),
          Tags: [{ Key: 'lifeboat:run', Value: ctx.runId }],
        }),
        what(this.name, ref),
        ctx.signal,
      );
    } catch (err) {
      // A retried attempt whose first create went through: wait for that instance.
      if (!isAlreadyExists(err)) throw err;
    }
    return awaitRestored(ctx, this.name, p.newInstanceId);
  },
  isDone(ctx, p) {
    return restoredAlready(ctx, this.name, p.newInstanceId);
  },
};

export const restoreSnapshot: ActionDef<{ snapshot: string; newInstanceId: string; instanceClass?: string }> = {
  name: 'aws.rds.restore-snapshot',
  description: 'Restores a snapshot of the target instance (a name, or `latest`) as a NEW instance; outputs its instanceId, endpoint and port.',
  phases: ['failover', 'failback'],
  target: 'required',
  targetTypes: ['aws.rds.instance'],
  params: z.object({
    snapshot: z.string().min(1).default('latest').describe('Snapshot identifier, or `latest`: the newest available snapshot of the target.'),
    newInstanceId: NewId.describe('Identifier of the instance to create.'),
    instanceClass: z.string().optional().describe('DB instance class of the new instance.'),
  }),
  mutates: true,
  permissions: ['rds:RestoreDBInstanceFromDBSnapshot', 'rds:DescribeDBSnapshots', DESCRIBE, 'rds:AddTagsToResource'],
  async run(ctx, p) {
    const s = awsSession(ctx);
    const ref = requireTarget(ctx);
    const w = what(this.name, ref);
    const rds = await import('@aws-sdk/client-rds');
    const snapshot = p.snapshot === 'latest' ? await latestSnapshot(ctx, w) : p.snapshot;
    try {
      await s.call(
        'rds',
        targetOf(ref),
        new rds.RestoreDBInstanceFromDBSnapshotCommand({
          DBSnapshotIdentifier: snapshot,
          DBInstanceIdentifier: p.newInstanceId,
          ...(p.instanceClass ? { DBInstanceClass: p.instanceClass } : {}),
          Tags: [{ Key: 'lifeboat:run', Value: ctx.runId }],
        }),
        w,
        ctx.signal,
      );
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    return { ...(await awaitRestored(ctx, this.name, p.newInstanceId)), snapshot };
  },
  isDone(ctx, p) {
    return restoredAlready(ctx, this.name, p.newInstanceId);
  },
};

/** The newest available snapshot of the target (every page of the listing). */
async function latestSnapshot(ctx: Parameters<ActionDef['run']>[0], w: string): Promise<string> {
  const s = awsSession(ctx);
  const ref = requireTarget(ctx);
  const rds = await import('@aws-sdk/client-rds');
  let newest: any;
  let marker: string | undefined;
  do {
    const out = await s.call('rds', targetOf(ref), new rds.DescribeDBSnapshotsCommand({ DBInstanceIdentifier: String(ref.spec.id), ...(marker ? { Marker: marker } : {}) }), w, ctx.signal);
    for (const snap of out.DBSnapshots ?? [])
      if (snap.Status === 'available' && (!newest || new Date(snap.SnapshotCreateTime) > new Date(newest.SnapshotCreateTime))) newest = snap;
    marker = out.Marker;
  } while (marker);
  if (!newest) throw new ProviderError(`${w}: no available snapshot of ${String(ref.spec.id)}`, { retryable: false });
  return newest.DBSnapshotIdentifier;
}

export const rdsActions = [promoteReplica, failoverCluster, rebootInstance, restorePointInTime, restoreSnapshot];
