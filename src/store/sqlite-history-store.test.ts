import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InfrastructureError } from '../errors.js';
import { SQLITE_SCHEMA_VERSION } from './migrations.js';
import { openStore } from './open-store.js';
import { describeHistoryStore, sampleResult } from './testing/history-store.suite.js';

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-history-'));
  tempDirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of tempDirs.splice(0)) {
    // A test may have left a directory unwritable.
    chmodSync(dir, 0o700);
    for (const name of readdirSync(dir)) if (statSync(join(dir, name)).isDirectory()) chmodSync(join(dir, name), 0o700);
    rmSync(dir, { recursive: true, force: true });
  }
});

describeHistoryStore('SQLite history store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-history-'));
  return { store: await openStore({ stateDir: join(dir, 'state') }), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

/** The schema and rows of a history.db written by Lifeboat before migrations (user_version 0). */
function writeV1History(stateDir: string, userVersion = 0): void {
  mkdirSync(stateDir, { recursive: true });
  const db = new Database(join(stateDir, 'history.db'));
  db.pragma('journal_mode = WAL');
  db.exec(`create table if not exists runs (
      run_id text primary key,
      runbook text not null,
      file text not null,
      mode text not null,
      status text not null,
      verdict text,
      started_at text not null,
      finished_at text,
      rto_ms real,
      rpo_ms real,
      lost_writes integer,
      error text,
      result_json text
    );
    create index if not exists runs_runbook on runs (runbook, started_at);`);
  db.prepare(
    `insert into runs (run_id, runbook, file, mode, status, verdict, started_at, finished_at, rto_ms, rpo_ms, lost_writes, error, result_json)
     values ('old-done', 'orders', 'orders.yaml', 'drill', 'completed', 'met', '2025-06-01T10:00:00.000Z', '2025-06-01T10:05:00.000Z', 4200, 0, 0, null, ?)`,
  ).run(JSON.stringify(sampleResult({ runId: 'old-done' })));
  db.prepare(
    `insert into runs (run_id, runbook, file, mode, status, started_at) values ('old-running', 'orders', 'orders.yaml', 'failover', 'running', '2025-06-02T10:00:00.000Z')`,
  ).run();
  db.pragma(`user_version = ${userVersion}`);
  db.close();
}

const V1_ROWS = [
  {
    runId: 'old-running',
    runbook: 'orders',
    file: 'orders.yaml',
    mode: 'failover',
    // Recorded before pids were: nothing tells whether its process lives, so it stays running.
    status: 'running',
    verdict: null,
    startedAt: '2025-06-02T10:00:00.000Z',
    finishedAt: null,
    rtoMs: null,
    rpoMs: null,
    lostWrites: null,
    error: null,
    pid: null,
  },
  {
    runId: 'old-done',
    runbook: 'orders',
    file: 'orders.yaml',
    mode: 'drill',
    status: 'completed',
    verdict: 'met',
    startedAt: '2025-06-01T10:00:00.000Z',
    finishedAt: '2025-06-01T10:05:00.000Z',
    rtoMs: 4200,
    rpoMs: 0,
    lostWrites: 0,
    error: null,
    pid: null,
  },
];

function inspect(stateDir: string): { version: number; columns: string[]; journal: string } {
  const db = new Database(join(stateDir, 'history.db'), { readonly: true });
  try {
    return {
      version: db.pragma('user_version', { simple: true }) as number,
      columns: (db.pragma('table_info(runs)') as { name: string }[]).map((c) => c.name),
      journal: db.pragma('journal_mode', { simple: true }) as string,
    };
  } finally {
    db.close();
  }
}

const V2_COLUMNS = ['run_id', 'runbook', 'file', 'mode', 'status', 'verdict', 'started_at', 'finished_at', 'rto_ms', 'rpo_ms', 'lost_writes', 'error', 'result_json', 'pid'];

describe('SQLite history store: schema versions', () => {
  let stateDir: string;
  beforeEach(() => {
    stateDir = join(tempDir(), 'state');
  });

  it('creates a new history at the latest version, in WAL mode', async () => {
    const store = await openStore({ stateDir });
    await store.close();
    expect(inspect(stateDir)).toStrictEqual({ version: SQLITE_SCHEMA_VERSION, columns: V2_COLUMNS, journal: 'wal' });
  });

  it.each([0, 1])('migrates a history file at version %i and keeps its rows and results', async (userVersion) => {
    writeV1History(stateDir, userVersion);
    const store = await openStore({ stateDir });
    try {
      expect(await store.list()).toStrictEqual(V1_ROWS);
      expect(await store.result('old-done')).toStrictEqual(sampleResult({ runId: 'old-done' }));
      await store.begin({ runId: 'new', runbook: 'orders', file: 'orders.yaml', mode: 'drill', startedAt: Date.UTC(2026, 0, 1) });
      expect((await store.list({ limit: 1 }))[0]).toMatchObject({ runId: 'new', status: 'running', pid: process.pid });
    } finally {
      await store.close();
    }
    expect(inspect(stateDir)).toStrictEqual({ version: SQLITE_SCHEMA_VERSION, columns: V2_COLUMNS, journal: 'wal' });
  });

  it('opens the same history again, and twice at once, without migrating twice or losing rows', async () => {
    const first = await openStore({ stateDir });
    await first.begin({ runId: 'r1', runbook: 'orders', file: 'orders.yaml', mode: 'drill', startedAt: Date.UTC(2026, 0, 1) });
    await first.close();
    const [a, b] = await Promise.all([openStore({ stateDir }), openStore({ stateDir })]);
    try {
      await a.finish(sampleResult({ runId: 'r1' }));
      expect((await b.list()).map((e) => [e.runId, e.status])).toStrictEqual([['r1', 'completed']]);
    } finally {
      await a.close();
      await b.close();
    }
    expect(inspect(stateDir)).toStrictEqual({ version: SQLITE_SCHEMA_VERSION, columns: V2_COLUMNS, journal: 'wal' });
  });

  it('leaves a migration to the process that took the write lock first', async () => {
    writeV1History(stateDir, 1);
    // Another Lifeboat migrates the same file to version 2 while holding the write lock.
    const other = spawn(
      process.execPath,
      [
        '--input-type=commonjs',
        '-e',
        `const db = new (require('better-sqlite3'))(process.env.HISTORY_DB);
         db.exec('begin immediate');
         process.stdout.write('locked\\n');
         setTimeout(() => {
           db.exec('alter table runs add column pid integer');
           db.pragma('user_version = 2');
           db.exec('commit');
           db.close();
         }, 500);`,
      ],
      { cwd: process.cwd(), env: { ...process.env, HISTORY_DB: join(stateDir, 'history.db') }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<number | null>((resolve) => other.once('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      other.stdout!.once('data', () => resolve());
      other.once('exit', (code) => reject(new Error(`the other process exited (${code}) before locking`)));
    });
    const store = await openStore({ stateDir });
    try {
      expect(await store.list()).toStrictEqual(V1_ROWS);
    } finally {
      await store.close();
    }
    expect(await exited).toBe(0);
    expect(inspect(stateDir)).toStrictEqual({ version: SQLITE_SCHEMA_VERSION, columns: V2_COLUMNS, journal: 'wal' });
  });

  it('refuses to write to a history from a newer Lifeboat', async () => {
    const newer = SQLITE_SCHEMA_VERSION + 1;
    writeV1History(stateDir, newer);
    const err = await openStore({ stateDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfrastructureError);
    expect((err as Error).message).toBe(
      `cannot open the run history ${join(stateDir, 'history.db')}: it was written by a newer Lifeboat (schema version ${newer}, this one knows up to ${SQLITE_SCHEMA_VERSION})`,
    );
    expect(inspect(stateDir).version).toBe(newer);
  });
});

describe('SQLite history store: read-only', () => {
  it('reads a history that does not exist as empty and creates nothing', async () => {
    const stateDir = join(tempDir(), 'state');
    const store = await openStore({ stateDir, readOnly: true });
    try {
      expect(await store.list()).toStrictEqual([]);
      expect(await store.result('r1')).toBeUndefined();
      await expect(store.begin({ runId: 'r1', runbook: 'orders', file: 'orders.yaml', mode: 'drill', startedAt: 0 })).rejects.toThrow(
        `cannot write the run history ${join(stateDir, 'history.db')}: it is open read-only`,
      );
    } finally {
      await store.close();
    }
    expect(existsSync(stateDir)).toBe(false);
  });

  it('reads an old history as it is, without migrating it, and refuses to write', async () => {
    const stateDir = join(tempDir(), 'state');
    writeV1History(stateDir);
    const store = await openStore({ stateDir, readOnly: true });
    try {
      expect(await store.list()).toStrictEqual(V1_ROWS);
      expect(await store.result('old-done')).toStrictEqual(sampleResult({ runId: 'old-done' }));
      const err = await store.finish(sampleResult()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InfrastructureError);
      expect((err as Error).message).toBe(`cannot write the run history ${join(stateDir, 'history.db')}: it is open read-only`);
    } finally {
      await store.close();
    }
    expect(inspect(stateDir).version).toBe(0);
  });

  it('reads what a writer recorded', async () => {
    const stateDir = join(tempDir(), 'state');
    const writer = await openStore({ stateDir });
    await writer.finish(sampleResult({ runId: 'r1' }));
    const reader = await openStore({ stateDir, readOnly: true });
    try {
      expect((await reader.list()).map((e) => e.runId)).toStrictEqual(['r1']);
      await writer.finish(sampleResult({ runId: 'r2', startedAt: Date.UTC(2026, 5, 1) }));
      expect((await reader.list()).map((e) => e.runId)).toStrictEqual(['r2', 'r1']);
    } finally {
      await reader.close();
      await writer.close();
    }
    // And once the writer is gone (its WAL checkpointed and removed).
    const later = await openStore({ stateDir, readOnly: true });
    try {
      expect((await later.list()).map((e) => e.runId)).toStrictEqual(['r2', 'r1']);
    } finally {
      await later.close();
    }
  });
});

describe('SQLite history store: files and faults', () => {
  it('creates the state directory 0700 and the history 0600', async () => {
    const root = tempDir();
    const stateDir = join(root, 'home', 'state');
    const store = await openStore({ stateDir });
    try {
      await store.finish(sampleResult());
      expect(statSync(join(root, 'home')).mode & 0o777).toBe(0o700);
      expect(statSync(stateDir).mode & 0o777).toBe(0o700);
      expect(statSync(join(stateDir, 'history.db')).mode & 0o777).toBe(0o600);
      expect(statSync(join(stateDir, 'history.db-wal')).mode & 0o777).toBe(0o600);
    } finally {
      await store.close();
    }
  });

  it('names the path and the cause when the state directory cannot be written', async () => {
    const root = tempDir();
    const locked = join(root, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    let privileged = true;
    try {
      writeFileSync(join(locked, 'probe'), '');
    } catch {
      privileged = false;
    }
    // Root writes through 0500: a path under a regular file fails for everyone.
    writeFileSync(join(root, 'plain-file'), '');
    const stateDir = privileged ? join(root, 'plain-file', 'state') : locked;
    const cause = privileged ? 'not a directory (ENOTDIR)' : 'permission denied (EACCES)';

    const err = await openStore({ stateDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfrastructureError);
    expect((err as InfrastructureError).code).toBe('INFRASTRUCTURE');
    expect((err as Error).message).toBe(`cannot open the run history ${join(stateDir, 'history.db')}: ${cause}`);
  });

  it('names the path and the cause when the history file is not a database', async () => {
    const stateDir = tempDir();
    writeFileSync(join(stateDir, 'history.db'), 'these are not the pages you are looking for, '.repeat(200));
    const err = await openStore({ stateDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfrastructureError);
    expect((err as Error).message).toBe(`cannot open the run history ${join(stateDir, 'history.db')}: not an SQLite database (SQLITE_NOTADB)`);
  });
});
