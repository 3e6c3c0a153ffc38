import { hostname } from 'node:os';
import type pg from 'pg';
import { InfrastructureError, InternalError, InvalidInputError, LifeboatError, messageOf } from '../errors.js';
import { registerSecrets } from '../util/secrets.js';
import type { RunResult } from '../verify/run-result.js';
import {
  DEFAULT_LIST_LIMIT,
  withLiveness,
  type BackupCheckListOptions,
  type BackupCheckRecord,
  type HistoryEntry,
  type HistoryStore,
  type ListOptions,
  type OpenStoreOptions,
  type RunbookLock,
  type RunStart,
} from './history-store.js';
import { MIGRATION_LOCK_KEYS, POSTGRES_MIGRATIONS, POSTGRES_SCHEMA, POSTGRES_SCHEMA_VERSION } from './postgres-migrations.js';

/** Whether a `--store` value names a PostgreSQL store. */
export function isPostgresStore(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url.trim());
}

/** The store URL with its password masked, for messages (`postgres://app:***@db:5432/lifeboat`). */
export function describeStoreUrl(url: string): string {
  try {
    const u = new URL(url.trim());
    if (u.password) u.password = '***';
    // libpq-style parameters may carry the password too.
    for (const key of ['password', 'sslpassword']) if (u.searchParams.has(key)) u.searchParams.set(key, '***');
    return u.toString().replace(/%2A%2A%2A/g, '***');
  } catch {
    return '(not a URL)';
  }
}

/** Registers the store URL's password as a secret (masked in every log, report and message). */
function registerUrlSecrets(url: string): void {
  try {
    const u = new URL(url.trim());
    const values = [u.password, u.searchParams.get('password'), u.searchParams.get('sslpassword')].filter((v): v is string => !!v);
    registerSecrets(values.flatMap((v) => [v, decodeURIComponent(v)]));
  } catch {
    /* not a URL: refused by openPostgresStore */
  }
}

const CONNECT_TIMEOUT_MS = 10_000;

async function newClient(url: string, what: string, described: string): Promise<pg.Client> {
  let Client: typeof pg.Client;
  try {
    Client = (await import('pg')).default.Client;
  } catch (err) {
    throw new InfrastructureError(`cannot load the PostgreSQL driver (pg) to ${what} ${described}: ${messageOf(err)}`, { cause: err });
  }
  const client = new Client({ connectionString: url.trim(), connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true, application_name: 'lifeboat' });
  // A server that goes away must not crash the process: the next query reports it.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    client.end().catch(() => {});
    throw new InfrastructureError(`cannot ${what} ${described}: ${messageOf(err)}`, { cause: err });
  }
  return client;
}

/**
 * Opens a shared run history in PostgreSQL (`postgres://user:password@host:port/database`), in
 * the schema `lifeboat`, creating and migrating it unless read-only. The password is registered
 * as a secret before anything can print it.
 */
export async function openPostgresStore(options: OpenStoreOptions & { store: string }): Promise<HistoryStore> {
  const url = options.store;
  registerUrlSecrets(url);
  const described = describeStoreUrl(url);
  try {
    new URL(url.trim());
  } catch {
    throw new InvalidInputError(`--store (or LIFEBOAT_STORE) is not a URL: expected postgres://user:password@host:port/database, got ${described}`);
  }
  const client = await newClient(url, 'open the run history', described);
  try {
    if (!options.readOnly) await migrate(client, described);
    else {
      const table = await client.query<{ exists: boolean }>(`select to_regclass('${POSTGRES_SCHEMA}.schema_version') is not null as exists`);
      const found = table.rows[0]?.exists ? await client.query<{ version: number }>(`select version from ${POSTGRES_SCHEMA}.schema_version`) : undefined;
      const version = found?.rows[0]?.version ?? 0;
      if (version > POSTGRES_SCHEMA_VERSION) throw newerSchema(described, version);
      if (version === 0) {
        // Nothing recorded yet: reading creates nothing, and an empty history is empty.
        await client.end().catch(() => {});
        return new EmptyPostgresStore();
      }
    }
    return new PostgresHistoryStore(client, url, described, options.readOnly ?? false);
  } catch (err) {
    await client.end().catch(() => {});
    throw err instanceof LifeboatError ? err : new InfrastructureError(`cannot open the run history ${described}: ${messageOf(err)}`, { cause: err });
  }
}

function newerSchema(described: string, found: number): InfrastructureError {
  return new InfrastructureError(
    `cannot open the run history ${described}: it was written by a newer Lifeboat (schema version ${found}, this one knows up to ${POSTGRES_SCHEMA_VERSION})`,
  );
}

/** Creates the schema and applies the migrations it lacks, all in one transaction under an advisory lock. */
async function migrate(client: pg.Client, described: string): Promise<void> {
  await client.query('begin');
  try {
    await client.query('select pg_advisory_xact_lock($1, $2)', [...MIGRATION_LOCK_KEYS]);
    const exists = await client.query(`select 1 from pg_namespace where nspname = $1`, [POSTGRES_SCHEMA]);
    if (!exists.rowCount) await client.query(`create schema ${POSTGRES_SCHEMA}`);
    await client.query(`create table if not exists ${POSTGRES_SCHEMA}.schema_version (version integer not null)`);
    const row = await client.query<{ version: number }>(`select version from ${POSTGRES_SCHEMA}.schema_version`);
    let version = row.rows[0]?.version ?? 0;
    if (!row.rowCount) await client.query(`insert into ${POSTGRES_SCHEMA}.schema_version values (0)`);
    if (version > POSTGRES_SCHEMA_VERSION) throw newerSchema(described, version);
    for (; version < POSTGRES_SCHEMA_VERSION; version++) await client.query(POSTGRES_MIGRATIONS[version]!);
    await client.query(`update ${POSTGRES_SCHEMA}.schema_version set version = $1`, [version]);
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  }
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

interface RunRow {
  runId: string;
  runbook: string;
  file: string;
  mode: string;
  status: HistoryEntry['status'];
  verdict: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  rtoMs: number | null;
  rpoMs: number | null;
  lostWrites: number | null;
  error: string | null;
  pid: number | null;
  host: string | null;
}

class PostgresHistoryStore implements HistoryStore {
  private closed = false;
  private readonly host = hostname();

  constructor(
    private readonly client: pg.Client,
    private readonly url: string,
    private readonly described: string,
    private readonly readOnly: boolean,
  ) {}

  async begin(r: RunStart): Promise<void> {
    await this.write(
      `insert into ${POSTGRES_SCHEMA}.runs (run_id, runbook, file, mode, status, started_at, pid, host) values ($1, $2, $3, $4, 'running', $5, $6, $7)
       on conflict (run_id) do update set status = 'running', pid = excluded.pid, host = excluded.host`,
      [r.runId, r.runbook, r.file, r.mode, new Date(r.startedAt), r.pid ?? process.pid, this.host],
    );
  }

  async finish(r: RunResult): Promise<void> {
    await this.write(
      `insert into ${POSTGRES_SCHEMA}.runs (run_id, runbook, file, mode, status, verdict, started_at, finished_at, rto_ms, rpo_ms, lost_writes, error, result_json)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       on conflict (run_id) do update set status = excluded.status, verdict = excluded.verdict, finished_at = excluded.finished_at,
         rto_ms = excluded.rto_ms, rpo_ms = excluded.rpo_ms, lost_writes = excluded.lost_writes, error = excluded.error, result_json = excluded.result_json`,
      [
        r.runId,
        r.runbook,
        r.file,
        r.mode,
        r.status,
        r.verdict,
        new Date(r.startedAt),
        new Date(r.finishedAt),
        r.measurements.rtoMs ?? null,
        r.measurements.rpoMs ?? null,
        r.measurements.lostWrites ?? null,
        r.error ?? null,
        JSON.stringify(r),
      ],
    );
  }

  async markAbandoned(runId: string, note: string, finishedAt = Date.now()): Promise<boolean> {
    const res = await this.write(
      `update ${POSTGRES_SCHEMA}.runs set status = 'aborted', verdict = 'incomplete', finished_at = $1, error = $2 where run_id = $3 and status = 'running'`,
      [new Date(finishedAt), note, runId],
    );
    return (res.rowCount ?? 0) > 0;
  }

  async list(opts: ListOptions = {}): Promise<HistoryEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    for (const key of ['runbook', 'mode', 'status'] as const) {
      if (opts[key] === undefined) continue;
      params.push(opts[key]);
      where.push(`${key} = $${params.length}`);
    }
    params.push(opts.limit ?? DEFAULT_LIST_LIMIT);
    const res = await this.read<RunRow>(
      `select run_id as "runId", runbook, file, mode, status, verdict, started_at as "startedAt", finished_at as "finishedAt",
              rto_ms as "rtoMs", rpo_ms as "rpoMs", lost_writes as "lostWrites", error, pid, host
       from ${POSTGRES_SCHEMA}.runs ${where.length ? `where ${where.join(' and ')}` : ''}
       order by started_at desc, run_id desc limit $${params.length}`,
      params,
    );
    return res.rows.map(({ host, startedAt, finishedAt, ...row }) => {
      const entry: HistoryEntry = { ...row, startedAt: startedAt.toISOString(), finishedAt: iso(finishedAt) };
      // A pid means something only on the machine that ran the run: elsewhere a running row stays running.
      return host === null || host === this.host ? withLiveness(entry) : entry;
    });
  }

  async result(runId: string): Promise<RunResult | undefined> {
    const res = await this.read<{ json: string | null }>(`select result_json::text as json from ${POSTGRES_SCHEMA}.runs where run_id = $1`, [runId]);
    const json = res.rows[0]?.json;
    return json ? (JSON.parse(json) as RunResult) : undefined;
  }

  async recordBackupCheck(c: BackupCheckRecord): Promise<void> {
    await this.write(
      `insert into ${POSTGRES_SCHEMA}.backup_checks (policy, resource, file, checked_at, compliant, result_json, host) values ($1, $2, $3, $4, $5, $6, $7)`,
      [c.policy, c.resource, c.file, new Date(c.checkedAt), c.compliant, JSON.stringify(c.result), this.host],
    );
  }

  async backupChecks(opts: BackupCheckListOptions = {}): Promise<BackupCheckRecord[]> {
    const params: unknown[] = [];
    if (opts.policy !== undefined) params.push(opts.policy);
    params.push(opts.limit ?? DEFAULT_LIST_LIMIT);
    const res = await this.read<{ policy: string; resource: string; file: string; checkedAt: Date; compliant: boolean; json: string }>(
      `select policy, resource, file, checked_at as "checkedAt", compliant, result_json::text as json from ${POSTGRES_SCHEMA}.backup_checks
       ${opts.policy !== undefined ? 'where policy = $1' : ''} order by checked_at desc, id desc limit $${params.length}`,
      params,
    );
    return res.rows.map((r) => ({ policy: r.policy, resource: r.resource, file: r.file, checkedAt: r.checkedAt.getTime(), compliant: r.compliant, result: JSON.parse(r.json) }));
  }

  async lockRunbook(runbook: string, onLost?: (err: Error) => void): Promise<RunbookLock> {
    this.assertOpen();
    return lockRunbook(this.url, this.described, runbook, this.host, onLost);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.end().catch(() => {});
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new InternalError(`the run history ${this.described} was used after it was closed`);
  }

  private async read<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<pg.QueryResult<R>> {
    this.assertOpen();
    try {
      return await this.client.query<R>(sql, params);
    } catch (err) {
      throw new InfrastructureError(`cannot read the run history ${this.described}: ${messageOf(err)}`, { cause: err });
    }
  }

  private async write(sql: string, params: unknown[]): Promise<pg.QueryResult> {
    this.assertOpen();
    if (this.readOnly) throw new InfrastructureError(`cannot write the run history ${this.described}: it is open read-only`);
    try {
      return await this.client.query(sql, params);
    } catch (err) {
      throw new InfrastructureError(`cannot write the run history ${this.described}: ${messageOf(err)}`, { cause: err });
    }
  }
}

/**
 * Takes the session-level advisory lock of a runbook on a connection of its own, held until
 * `release` (or until the process dies: PostgreSQL drops a session's locks with its connection,
 * so a crashed runner never leaves a stale lock). The holder is recorded beside it for the
 * message a refused runner prints.
 */
async function lockRunbook(url: string, described: string, runbook: string, host: string, onLost?: (err: Error) => void): Promise<RunbookLock> {
  const client = await newClient(url, 'take the shared lock in', described);
  const key = `lifeboat/runbook/${runbook}`;
  let released = false;
  try {
    const got = await client.query<{ locked: boolean }>('select pg_try_advisory_lock(hashtextextended($1, 0)) as locked', [key]);
    if (!got.rows[0]?.locked) {
      const holder = await client.query<{ run_id: string | null; host: string; pid: number; locked_at: Date }>(
        `select run_id, host, pid, locked_at from ${POSTGRES_SCHEMA}.run_locks where runbook = $1`,
        [runbook],
      );
      const h = holder.rows[0];
      const who = h ? `run ${h.run_id ?? '(starting)'} on ${h.host} (pid ${h.pid}) since ${h.locked_at.toISOString()}` : 'another runner';
      throw new InfrastructureError(`runbook ${runbook} is locked in the shared history ${described} by ${who}; wait for it or stop it`);
    }
    await client.query(
      `insert into ${POSTGRES_SCHEMA}.run_locks (runbook, run_id, host, pid, locked_at) values ($1, null, $2, $3, now())
       on conflict (runbook) do update set run_id = null, host = excluded.host, pid = excluded.pid, locked_at = excluded.locked_at`,
      [runbook, host, process.pid],
    );
  } catch (err) {
    await client.end().catch(() => {});
    throw err instanceof LifeboatError ? err : new InfrastructureError(`cannot take the shared lock of runbook ${runbook} in ${described}: ${messageOf(err)}`, { cause: err });
  }
  client.on('error', (err: Error) => {
    if (!released) onLost?.(err);
  });
  client.on('end', () => {
    if (!released) onLost?.(new Error('the connection holding the lock closed'));
  });
  return {
    async setRunId(runId: string) {
      await client.query(`update ${POSTGRES_SCHEMA}.run_locks set run_id = $1 where runbook = $2 and pid = $3 and host = $4`, [runId, runbook, process.pid, host]).catch(() => {});
    },
    async release() {
      if (released) return;
      released = true;
      // Closing the session releases the advisory lock whatever happens to these statements.
      await client.query(`delete from ${POSTGRES_SCHEMA}.run_locks where runbook = $1 and pid = $2 and host = $3`, [runbook, process.pid, host]).catch(() => {});
      await client.query('select pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch(() => {});
      await client.end().catch(() => {});
    },
  };
}

/** A shared history read before anything was recorded in it: empty, and nothing is created. */
class EmptyPostgresStore implements HistoryStore {
  async begin(): Promise<void> {
    throw new InfrastructureError('cannot write the run history: it is open read-only');
  }
  async finish(): Promise<void> {
    throw new InfrastructureError('cannot write the run history: it is open read-only');
  }
  async markAbandoned(): Promise<boolean> {
    throw new InfrastructureError('cannot write the run history: it is open read-only');
  }
  async list(): Promise<HistoryEntry[]> {
    return [];
  }
  async result(): Promise<RunResult | undefined> {
    return undefined;
  }
  async recordBackupCheck(): Promise<void> {
    throw new InfrastructureError('cannot write the run history: it is open read-only');
  }
  async backupChecks(): Promise<BackupCheckRecord[]> {
    return [];
  }
  async close(): Promise<void> {}
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
