import { z } from 'zod';
import { InvalidInputError, ProviderError } from '../../errors.js';
import { Name } from '../../runbook/fields.js';
import { AwsClients } from '../aws/aws-clients.js';
import { labServiceWith } from '../lab/lab-actions.js';
import type { ActionContext, ActionDef, ProviderSession } from '../types.js';
import { backupName, LocalBackupStore, newestBackup, S3BackupStore, type BackupEntry, type BackupMethod, type BackupStore } from './backup-store.js';
import { pgConfigsFor } from './connect.js';
import { runPgTool, stderrTail } from './pg-client-tools.js';
import type { PgConfig } from '../../util/pg-client.js';

/** The postgres provider's per-run state: AWS clients, made on first use (only S3 backups need them). */
export interface PostgresSession {
  aws(): AwsClients;
}

/** Opens the postgres provider's per-run state; closing it destroys any AWS client made. */
export async function openPostgresSession(): Promise<ProviderSession> {
  let aws: AwsClients | undefined;
  const state: PostgresSession = { aws: () => (aws ??= new AwsClients()) };
  return { state, close: async () => aws?.destroy() };
}

/** Where backups live: a local directory or an S3 bucket resource (exactly one), and the set. */
const Location = {
  path: z.string().min(1).optional().describe('Local directory of the backups (relative to the working directory); each set is a subdirectory. Give this or bucket.'),
  bucket: z.string().min(1).optional().describe('An aws.s3.bucket resource the backups live in (its region and endpoint apply). Give this or path.'),
  prefix: z
    .string()
    .regex(/^([A-Za-z0-9!_.*'()-]+\/)*$/, { message: 'expected key segments each ending in "/", e.g. backups/orders/' })
    .optional()
    .describe('With bucket: key prefix of the sets, ending in "/".'),
};
type LocationParams = { path?: string; bucket?: string; prefix?: string };

function locationProblems(p: LocationParams): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  if (p.path === undefined && p.bucket === undefined) out.push({ path: 'path', message: 'give where the backups live: path (a local directory) or bucket (an aws.s3.bucket resource)' });
  if (p.path !== undefined && p.bucket !== undefined) out.push({ path: 'bucket', message: 'give path or bucket, not both' });
  if (p.prefix !== undefined && p.bucket === undefined) out.push({ path: 'prefix', message: 'prefix is for S3 (with bucket)' });
  return out;
}

/** The store of one set, local or S3 (through the run's AWS clients). */
function storeFor(ctx: ActionContext, p: LocationParams, set: string): BackupStore {
  if (p.path !== undefined) return new LocalBackupStore(p.path, set);
  const ref = ctx.resource(p.bucket!);
  if (typeof ref.spec.bucket !== 'string') throw new InvalidInputError(`resource ${ref.name} (${ref.type}) is not an S3 bucket`);
  const session = ctx.session as PostgresSession | undefined;
  const aws = session?.aws() ?? new AwsClients();
  return new S3BackupStore(
    {
      bucket: ref.spec.bucket,
      prefix: p.prefix ?? '',
      ...(typeof ref.spec.region === 'string' ? { region: ref.spec.region } : {}),
      ...(typeof ref.spec.endpoint === 'string' ? { endpoint: ref.spec.endpoint } : {}),
    },
    set,
    aws,
    `step ${ctx.stepId}`,
  );
}

function describeBackup(store: BackupStore, e: BackupEntry) {
  return { backup: e.name, location: store.location, method: e.method, takenAt: new Date(e.takenAt).toISOString(), ...(e.bytes !== undefined ? { bytes: e.bytes } : {}) };
}

type BackupParams = LocationParams & { method: BackupMethod; set?: string; keep?: number };

export const backupAction: ActionDef<BackupParams> = {
  name: 'postgres.backup',
  description:
    'Back up a PostgreSQL server to a local directory or an S3 bucket: method basebackup (pg_basebackup, a gzip tar with its WAL: the whole server) or dump (pg_dump -Fc of its database). The file is <UTC start>_<run>_<step>.tar.gz|.dump under the set.',
  phases: ['fault', 'failover', 'failback'],
  target: 'required',
  targetCapability: 'postgres',
  resourceParams: ['bucket'],
  params: z.object({
    method: z.enum(['basebackup', 'dump']).default('basebackup').describe('basebackup: pg_basebackup -Ft -X fetch -z (physical); dump: pg_dump -Fc (logical, one database).'),
    ...Location,
    set: Name.optional().describe('Backup set (a subdirectory or key prefix); default the target resource name.'),
    keep: z.int().min(1).optional().describe('After a successful backup, delete the oldest backups of the set beyond this many.'),
  }),
  validate: (p) => locationProblems(p),
  mutates: true,
  async run(ctx, p) {
    const target = ctx.target!;
    const set = p.set ?? target.name;
    const store = storeFor(ctx, p, set);
    const connection = pgConfigsFor(ctx, target)[0]!;
    const startedAt = ctx.clock.now();
    const name = backupName(startedAt, ctx.runId, ctx.stepId, p.method);
    const pending = await store.begin(name);
    let bytes: number;
    try {
      const tool = p.method === 'dump' ? 'pg_dump' : 'pg_basebackup';
      const r =
        p.method === 'dump'
          ? await runPgTool('pg_dump', ['--format=custom', '--no-password', `--file=${pending.file}`], { connection, signal: ctx.signal })
          : await runPgTool('pg_basebackup', ['--pgdata=-', '--format=tar', '--wal-method=fetch', '--gzip', '--checkpoint=fast', '--no-password'], {
              connection,
              stdoutFile: pending.file,
              signal: ctx.signal,
            });
      if (r.code !== 0) throw new ProviderError(`${tool} of ${target.name} failed (${r.signal ?? `exit code ${r.code}`}): ${stderrTail(r.stderr)}`);
      ({ bytes } = await pending.commit(ctx.signal));
    } catch (err) {
      await pending.discard();
      throw err;
    }
    const endedAt = ctx.clock.now();
    let removed: string[] = [];
    if (p.keep !== undefined) {
      const old = (await store.list(ctx.signal)).sort((a, b) => b.takenAt - a.takenAt || b.name.localeCompare(a.name)).slice(p.keep);
      for (const e of old) await store.remove(e, ctx.signal);
      removed = old.map((e) => e.name);
    }
    // A backup in the fault phase prepares the fault (it is taken while writes flow); the outage is searched for after it.
    if (ctx.phase === 'fault') ctx.record({ t: ctx.clock.now(), kind: 'mark', name: 'fault-prepared', detail: `backup ${store.pathOf(name)} taken` });
    return { backup: name, location: store.location, set, method: p.method, bytes, startedAt: new Date(startedAt).toISOString(), endedAt: new Date(endedAt).toISOString(), ...(removed.length ? { removed } : {}) };
  },
  /** The name says which run and step took a backup: if this step's is there, it finished (it appears only complete). */
  async isDone(ctx, p) {
    const store = storeFor(ctx, p, p.set ?? ctx.target!.name);
    const mine = (await store.list(ctx.signal)).find((e) => e.runId === ctx.runId && e.stepId === ctx.stepId && e.method === p.method);
    return mine ? { done: true, output: { ...describeBackup(store, mine), set: p.set ?? ctx.target!.name } } : false;
  },
};

type RestoreParams = LocationParams & { set: string; backup?: string };

export const restoreAction: ActionDef<RestoreParams> = {
  name: 'postgres.restore',
  description:
    'Restore the newest backup of a set (or the one named by `backup`) into a lab service, replacing its data (the target of restore drills is declared empty: true): a base backup is unpacked and recovered to its end, a dump is loaded into a fresh cluster with pg_restore. Waits until the service accepts connections.',
  phases: ['failover', 'failback'],
  target: 'required',
  targetCapability: 'lab-service',
  labCapability: 'restore',
  resourceParams: ['bucket'],
  params: z.object({
    ...Location,
    set: Name.describe('Backup set to restore from (postgres.backup names it after its target by default).'),
    backup: z.string().regex(/^[^/\\]+$/, { message: 'a file name within the set' }).optional().describe('A given backup of the set (its file name); default the newest.'),
  }),
  validate: (p) => locationProblems(p),
  mutates: true,
  async run(ctx, p) {
    const service = labServiceWith(ctx, 'restore');
    const store = storeFor(ctx, p, p.set);
    const entries = await store.list(ctx.signal);
    const chosen = p.backup !== undefined ? entries.find((e) => e.name === p.backup) : newestBackup(entries);
    if (!chosen)
      throw new ProviderError(
        p.backup !== undefined ? `no backup ${p.backup} in ${store.location}` : `no backup to restore: ${store.location} holds none (postgres.backup writes them there with set: ${p.set})`,
        { retryable: false },
      );
    const started = ctx.clock.now();
    const fetched = await store.fetch(chosen, ctx.signal);
    try {
      if (chosen.method === 'basebackup') {
        await service.restore!({ kind: 'base-backup', file: fetched.file }, ctx.signal);
      } else {
        const load = async (connection: PgConfig, signal?: AbortSignal) => {
          const args = [`--dbname=${connection.database ?? 'postgres'}`, '--exit-on-error', '--single-transaction', '--no-owner', '--no-password', fetched.file];
          const r = await runPgTool('pg_restore', args, { connection, signal: signal ?? ctx.signal });
          if (r.code !== 0) throw new ProviderError(`pg_restore of ${store.pathOf(chosen.name)} into "${service.name}" failed (${r.signal ?? `exit code ${r.code}`}): ${stderrTail(r.stderr)}`, { retryable: false });
        };
        await service.restore!({ kind: 'logical', load }, ctx.signal);
      }
    } finally {
      await fetched.release();
    }
    // The verifier measures a restore's RPO as the age of the restored data (SPEC §4).
    ctx.record({ t: ctx.clock.now(), kind: 'mark', name: 'restored', detail: `${service.name} from ${store.pathOf(chosen.name)}` });
    return { ...describeBackup(store, chosen), set: p.set, restoreMs: Math.round(ctx.clock.now() - started) };
  },
};

export const backupActions = [backupAction, restoreAction];
