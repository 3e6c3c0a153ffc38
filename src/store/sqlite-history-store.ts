import { accessSync, closeSync, constants, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { InfrastructureError, InternalError, LifeboatError, messageOf } from '../errors.js';
import type { RunResult } from '../verify/run-result.js';
import {
  DEFAULT_LIST_LIMIT,
  type BackupCheckListOptions,
  type BackupCheckRecord,
  withLiveness,
  type HistoryEntry,
  type HistoryStore,
  type ListOptions,
  type OpenStoreOptions,
  type RunStart,
} from './history-store.js';
import { SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION } from './migrations.js';
import { makeDirs } from '../util/make-dir.js';
import { storageFault } from './storage-error.js';

type Db = BetterSqlite3.Database;

/** The history file inside a state directory. */
export function sqliteHistoryPath(stateDir: string): string {
  return join(stateDir, 'history.db');
}

/**
 * Opens (creating and migrating unless read-only) `<stateDir>/history.db`. Every failure is an
 * `InfrastructureError` that names the file and the cause.
 */
export async function openSqliteStore(options: OpenStoreOptions): Promise<HistoryStore> {
  const path = sqliteHistoryPath(options.stateDir);
  const readOnly = options.readOnly ?? false;
  // Reading must not create anything: no history yet is an empty history.
  if (readOnly && !existsSync(path)) return new AbsentHistoryStore(path);
  let Database: typeof BetterSqlite3;
  try {
    Database = (await import('better-sqlite3')).default;
  } catch (err) {
    throw new InfrastructureError(`cannot load SQLite (better-sqlite3) to open the run history ${path}: ${messageOf(err)}`, { cause: err });
  }
  let db: Db;
  try {
    if (readOnly) accessSync(path, constants.R_OK);
    else prepareFiles(options.stateDir, path);
    db = new Database(path, readOnly ? { readonly: true, fileMustExist: true } : {});
  } catch (err) {
    throw storageFault('open the run history', path, err);
  }
  try {
    db.pragma('busy_timeout = 5000');
    if (!readOnly) {
      db.pragma('journal_mode = WAL');
      migrate(db, path);
    }
    const columns = new Set((db.pragma('table_info(runs)') as { name: string }[]).map((c) => c.name));
    const hasBackupChecks = (db.pragma('table_info(backup_checks)') as unknown[]).length > 0;
    return new SqliteHistoryStore(db, path, readOnly, columns, hasBackupChecks);
  } catch (err) {
    db.close();
    throw err instanceof LifeboatError ? err : storageFault('open the run history', path, err);
  }
}

/**
 * Creates the state directory (0700) and an empty history file (0600) when they do not exist,
 * and checks up front what SQLite would otherwise report only as "unable to open database file".
 */
function prepareFiles(stateDir: string, path: string): void {
  // The history holds endpoints and errors of real systems: only its owner reads it. SQLite gives
  // its -wal and -shm files the database file's mode.
  makeDirs(stateDir, 0o700);
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    accessSync(path, constants.R_OK | constants.W_OK);
  }
  // SQLite creates its -wal and -shm files beside the database.
  accessSync(stateDir, constants.W_OK);
}

/** Applies the migrations the file lacks, each in its own transaction with its version. */
function migrate(db: Db, path: string): void {
  const version = () => db.pragma('user_version', { simple: true }) as number;
  const found = version();
  if (found > SQLITE_SCHEMA_VERSION)
    throw new InfrastructureError(
      `cannot open the run history ${path}: it was written by a newer Lifeboat (schema version ${found}, this one knows up to ${SQLITE_SCHEMA_VERSION})`,
    );
  for (let next = found + 1; next <= SQLITE_SCHEMA_VERSION; next++) {
    db.transaction(() => {
      // Another process may have migrated since we looked; the write lock is ours now, so look again.
      if (version() >= next) return;
      db.exec(SQLITE_MIGRATIONS[next - 1]!);
      db.pragma(`user_version = ${next}`);
    }).immediate();
  }
}

/** The filters of `opts` that are set, as named parameters. */
function filtersOf(opts: ListOptions): Record<string, string> {
  return Object.fromEntries((['runbook', 'mode', 'status'] as const).filter((k) => opts[k] !== undefined).map((k) => [k, opts[k]!]));
}

function whereOf(opts: ListOptions): string {
  const keys = Object.keys(filtersOf(opts));
  return keys.length ? `where ${keys.map((k) => `${k} = @${k}`).join(' and ')}` : '';
}

class SqliteHistoryStore implements HistoryStore {
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly path: string,
    private readonly readOnly: boolean,
    /** Columns of `runs` (read-only stores read old files as they are). */
    private readonly columns: ReadonlySet<string>,
    /** Whether the file has the backup_checks table (a read-only store reads older files as they are). */
    private readonly hasBackupChecks = true,
  ) {}

  async begin(r: RunStart): Promise<void> {
    this.write(() =>
      this.db
        .prepare(
          `insert into runs (run_id, runbook, file, mode, status, started_at, pid) values (?, ?, ?, ?, 'running', ?, ?)
           on conflict (run_id) do update set status = 'running', pid = excluded.pid`,
        )
        .run(r.runId, r.runbook, r.file, r.mode, new Date(r.startedAt).toISOString(), r.pid ?? process.pid),
    );
  }

  async finish(r: RunResult): Promise<void> {
    this.write(() =>
      this.db
        .prepare(
          `insert into runs (run_id, runbook, file, mode, status, verdict, started_at, finished_at, rto_ms, rpo_ms, lost_writes, error, result_json)
           values (@runId, @runbook, @file, @mode, @status, @verdict, @startedAt, @finishedAt, @rtoMs, @rpoMs, @lostWrites, @error, @json)
           on conflict (run_id) do update set status = @status, verdict = @verdict, finished_at = @finishedAt, rto_ms = @rtoMs,
             rpo_ms = @rpoMs, lost_writes = @lostWrites, error = @error, result_json = @json`,
        )
        .run({
          runId: r.runId,
          runbook: r.runbook,
          file: r.file,
          mode: r.mode,
          status: r.status,
          verdict: r.verdict,
          startedAt: new Date(r.startedAt).toISOString(),
          finishedAt: new Date(r.finishedAt).toISOString(),
          rtoMs: r.measurements.rtoMs ?? null,
          rpoMs: r.measurements.rpoMs ?? null,
          lostWrites: r.measurements.lostWrites ?? null,
          error: r.error ?? null,
          json: JSON.stringify(r),
        }),
    );
  }

  async markAbandoned(runId: string, note: string, finishedAt = Date.now()): Promise<boolean> {
    let changes = 0;
    this.write(() => {
      changes = this.db
        .prepare(`update runs set status = 'aborted', verdict = 'incomplete', finished_at = ?, error = ? where run_id = ? and status = 'running'`)
        .run(new Date(finishedAt).toISOString(), note, runId).changes;
    });
    return changes > 0;
  }

  async list(opts: ListOptions = {}): Promise<HistoryEntry[]> {
    if (!this.columns.has('run_id')) return [];
    const pid = this.columns.has('pid') ? 'pid' : 'null as pid';
    const rows = this.read(
      () =>
        this.db
          .prepare(
            `select run_id as runId, runbook, file, mode, status, verdict, started_at as startedAt, finished_at as finishedAt,
                    rto_ms as rtoMs, rpo_ms as rpoMs, lost_writes as lostWrites, error, ${pid}
             from runs ${whereOf(opts)}
             order by started_at desc, run_id desc limit @limit`,
          )
          .all({ limit: opts.limit ?? DEFAULT_LIST_LIMIT, ...filtersOf(opts) }) as HistoryEntry[],
    );
    return rows.map((row) => withLiveness(row));
  }

  async result(runId: string): Promise<RunResult | undefined> {
    if (!this.columns.has('run_id')) return undefined;
    const json = this.read(() => (this.db.prepare('select result_json as json from runs where run_id = ?').get(runId) as { json: string | null } | undefined)?.json);
    return json ? (JSON.parse(json) as RunResult) : undefined;
  }

  async recordBackupCheck(c: BackupCheckRecord): Promise<void> {
    this.write(() =>
      this.db
        .prepare(`insert into backup_checks (policy, resource, file, checked_at, compliant, result_json) values (?, ?, ?, ?, ?, ?)`)
        .run(c.policy, c.resource, c.file, new Date(c.checkedAt).toISOString(), c.compliant ? 1 : 0, JSON.stringify(c.result)),
    );
  }

  async backupChecks(opts: BackupCheckListOptions = {}): Promise<BackupCheckRecord[]> {
    if (!this.hasBackupChecks) return [];
    const rows = this.read(
      () =>
        this.db
          .prepare(
            `select policy, resource, file, checked_at as checkedAt, compliant, result_json as json from backup_checks
             ${opts.policy !== undefined ? 'where policy = @policy' : ''} order by checked_at desc, id desc limit @limit`,
          )
          .all({ limit: opts.limit ?? DEFAULT_LIST_LIMIT, ...(opts.policy !== undefined ? { policy: opts.policy } : {}) }) as Array<{
          policy: string;
          resource: string;
          file: string;
          checkedAt: string;
          compliant: number;
          json: string;
        }>,
    );
    return rows.map((r) => ({ policy: r.policy, resource: r.resource, file: r.file, checkedAt: Date.parse(r.checkedAt), compliant: r.compliant === 1, result: JSON.parse(r.json) }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new InternalError(`the run history ${this.path} was used after it was closed`);
  }

  private read<T>(query: () => T): T {
    this.assertOpen();
    try {
      return query();
    } catch (err) {
      throw storageFault('read the run history', this.path, err);
    }
  }

  private write(statement: () => unknown): void {
    this.assertOpen();
    if (this.readOnly) throw new InfrastructureError(`cannot write the run history ${this.path}: it is open read-only`);
    try {
      statement();
    } catch (err) {
      throw storageFault('write the run history', this.path, err);
    }
  }
}

/** A history opened read-only before any run was recorded: empty, and nothing is created. */
class AbsentHistoryStore implements HistoryStore {
  constructor(private readonly path: string) {}

  async begin(): Promise<void> {
    throw new InfrastructureError(`cannot write the run history ${this.path}: it is open read-only`);
  }

  async finish(): Promise<void> {
    throw new InfrastructureError(`cannot write the run history ${this.path}: it is open read-only`);
  }

  async markAbandoned(): Promise<boolean> {
    throw new InfrastructureError(`cannot write the run history ${this.path}: it is open read-only`);
  }

  async list(): Promise<HistoryEntry[]> {
    return [];
  }

  async recordBackupCheck(): Promise<void> {
    throw new InfrastructureError(`cannot write the run history ${this.path}: it is open read-only`);
  }

  async backupChecks(): Promise<BackupCheckRecord[]> {
    return [];
  }

  async result(): Promise<RunResult | undefined> {
    return undefined;
  }

  async close(): Promise<void> {}

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
