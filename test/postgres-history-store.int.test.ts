import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcessLab } from '../src/lab/process/process-lab.js';
import type { Lab } from '../src/lab/types.js';
import { openStore } from '../src/store/open-store.js';
import { POSTGRES_SCHEMA_VERSION } from '../src/store/postgres-migrations.js';
import { deadPid, describeHistoryStore, sampleResult } from '../src/store/testing/history-store.suite.js';
import { eventually, query } from './support/pg-lab-helpers.js';
import { runCli, startCli, tempStateDir } from './support/run-cli.js';

// Real PostgreSQL 15 from Debian's package; these tests fail (never skip) when it is missing.
process.env['LIFEBOAT_PG_BIN'] ??= '/usr/lib/postgresql/15/bin';

const PASSWORD = 'Store-Pa55word-not-for-logs';
let lab: Lab;
let databases = 0;

beforeAll(async () => {
  lab = await startProcessLab({ store: { kind: 'postgres' } });
}, 60_000);
afterAll(async () => {
  await lab?.teardown();
}, 60_000);

const admin = () => lab.service('store').connection();

/** A fresh, empty database on the lab server, and the store URL (with a password: the lab trusts any). */
async function freshDatabase(): Promise<{ url: string; db: string }> {
  const db = `history_${process.pid}_${++databases}`;
  await query(admin(), `create database ${db}`);
  const { host, port } = admin();
  return { url: `postgres://postgres:${encodeURIComponent(PASSWORD)}@${host}:${port}/${db}`, db };
}

describeHistoryStore('PostgreSQL history store', async () => {
  const { url, db } = await freshDatabase();
  return {
    store: await openStore({ stateDir: '/nonexistent', store: url }),
    cleanup: async () => void (await query(admin(), `drop database ${db} with (force)`)),
  };
});

describe('PostgreSQL history store: migrations and machines', () => {
  it('creates its schema once when runners open it together, and records the version', async () => {
    const { url, db } = await freshDatabase();
    const stores = await Promise.all([1, 2, 3].map(() => openStore({ stateDir: '/nonexistent', store: url })));
    await Promise.all(stores.map((s) => s.close()));
    const rows = await query({ ...admin(), database: db }, 'select version from lifeboat.schema_version');
    expect(rows).toStrictEqual([{ version: POSTGRES_SCHEMA_VERSION }]);
  });

  it('reads a database it never wrote as an empty history and creates nothing there', async () => {
    const { url, db } = await freshDatabase();
    const store = await openStore({ stateDir: '/nonexistent', store: url, readOnly: true });
    expect(await store.list()).toStrictEqual([]);
    await store.close();
    expect(await query({ ...admin(), database: db }, `select 1 from pg_namespace where nspname = 'lifeboat'`)).toStrictEqual([]);
  });

  it('keeps a running run of another machine running (its pid means nothing here), and judges its own by pid', async () => {
    const { url, db } = await freshDatabase();
    const store = await openStore({ stateDir: '/nonexistent', store: url });
    const dead = await deadPid();
    await store.begin({ runId: 'mine', runbook: 'orders', file: 'o.yaml', mode: 'drill', startedAt: Date.UTC(2027, 0, 1), pid: dead });
    await store.begin({ runId: 'theirs', runbook: 'orders', file: 'o.yaml', mode: 'drill', startedAt: Date.UTC(2027, 0, 2), pid: dead });
    await query({ ...admin(), database: db }, `update lifeboat.runs set host = 'runner-b' where run_id = 'theirs'`);
    expect((await store.list()).map((e) => [e.runId, e.status])).toStrictEqual([
      ['theirs', 'running'],
      ['mine', 'abandoned'],
    ]);
    await store.finish(sampleResult({ runId: 'theirs', runbook: 'orders' }));
    expect((await store.list({ status: 'completed' })).map((e) => e.runId)).toStrictEqual(['theirs']);
    await store.close();
  });

  it('names the store without its password when it cannot be reached, exit 3', async () => {
    const state = tempStateDir();
    const r = await runCli(['--state-dir', state, 'history'], { LIFEBOAT_STORE: `postgres://app:${PASSWORD}@127.0.0.1:1/lifeboat` });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('cannot open the run history postgres://app:***@127.0.0.1:1/lifeboat');
    expect(r.stderr + r.stdout).not.toContain(PASSWORD);
    const bad = await runCli(['--state-dir', state, '--store', 'mysql://app:pw@db/x', 'history']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('must be a postgres:// or postgresql:// URL');
  });
});

describe('two runners, one shared history', () => {
  it('refuses a second drill of the same runbook from another state directory while the first holds the lock, exit 3', async () => {
    const { url, db } = await freshDatabase();
    const { port } = admin();
    const dir = tempStateDir();
    const runbook = join(dir, 'slow.yaml');
    writeFileSync(
      runbook,
      [
        'apiVersion: lifeboat/v1',
        'kind: Runbook',
        'name: shared-slow',
        'objectives: { rto: 30s }',
        `resources: { db: { type: tcp, host: 127.0.0.1, port: ${port} } }`,
        'probes: { up: { type: tcp, target: db, interval: 100ms } }',
        'steadyState: { stableFor: 200ms }',
        'recovery: { all: [up], stableFor: 200ms }',
        // Held until the test says so: the second runner may take long to start on a busy machine.
        `fault: [ { id: hold, action: exec, shell: true, command: "while [ ! -e ${join(dir, 'go')} ]; do sleep 0.05; done", timeout: 50s } ]`,
        'failover: []',
        'failback: []',
        '',
      ].join('\n'),
    );
    const stateA = tempStateDir();
    const stateB = tempStateDir();
    const first = startCli(['--state-dir', stateA, 'drill', runbook], { LIFEBOAT_STORE: url });
    await eventually(async () => /run (\S+) \(shared-slow\)/.test(first.stderr()), 20_000);
    const firstRunId = /run (\S+) \(shared-slow\)/.exec(first.stderr())![1]!;
    // The holder row names the run once onStart has recorded it.
    await eventually(async () => (await query({ ...admin(), database: db }, 'select run_id from lifeboat.run_locks')).some((r) => r.run_id === firstRunId), 5_000);

    const second = await runCli(['--state-dir', stateB, '--store', url, 'drill', runbook]);
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(
      new RegExp(`runbook shared-slow is locked in the shared history postgres://postgres:\\*\\*\\*@127\\.0\\.0\\.1:${port}/${db} by run ${firstRunId} on \\S+ \\(pid ${first.child.pid}\\) since \\S+; wait for it or stop it`),
    );
    // Refused before anything started: no run in B's state directory, none in the history.
    expect(readdirSafe(join(stateB, 'runs'))).toStrictEqual([]);

    writeFileSync(join(dir, 'go'), '');
    const done = await first.done;
    expect(done.code).toBe(0);
    const runs = await query({ ...admin(), database: db }, `select run_id, status, verdict, mode from lifeboat.runs`);
    expect(runs).toStrictEqual([{ run_id: firstRunId, status: 'completed', verdict: 'met', mode: 'drill' }]);
    // The lock went with the run: the next runner gets it, and sees the first run in `history`.
    expect(await query({ ...admin(), database: db }, 'select * from lifeboat.run_locks')).toStrictEqual([]);
    const history = await runCli(['--state-dir', stateB, 'history', '--json'], { LIFEBOAT_STORE: url });
    expect(JSON.parse(history.stdout).map((r: { runId: string }) => r.runId)).toStrictEqual([firstRunId]);

    // The store's password is in no output and no file either runner wrote.
    for (const text of [done.stdout, done.stderr, second.stdout, second.stderr, history.stdout, history.stderr, ...filesUnder(stateA), ...filesUnder(stateB)])
      expect(text).not.toContain(PASSWORD);
  }, 120_000);
});

describe('a lock whose connection is lost', () => {
  it('lets the run finish and warns that the lock is gone', async () => {
    const { url, db } = await freshDatabase();
    const { port } = admin();
    const dir = tempStateDir();
    const runbook = join(dir, 'lost.yaml');
    writeFileSync(
      runbook,
      [
        'apiVersion: lifeboat/v1',
        'kind: Runbook',
        'name: lost-lock',
        'objectives: { rto: 30s }',
        `resources: { db: { type: tcp, host: 127.0.0.1, port: ${port} } }`,
        'probes: { up: { type: tcp, target: db, interval: 100ms } }',
        'steadyState: { stableFor: 200ms }',
        'recovery: { all: [up], stableFor: 200ms }',
        `fault: [ { id: hold, action: exec, shell: true, command: "while [ ! -e ${join(dir, 'go')} ]; do sleep 0.05; done", timeout: 50s } ]`,
        'failover: []',
        'failback: []',
        '',
      ].join('\n'),
    );
    const run = startCli(['--state-dir', tempStateDir(), 'drill', runbook], { LIFEBOAT_STORE: url });
    await eventually(async () => /run (\S+) \(lost-lock\)/.test(run.stderr()), 20_000);
    // The server ends the session that holds the advisory lock (a failover of the store, an idle timeout...).
    const killed = await query(
      { ...admin(), database: db },
      `select pg_terminate_backend(pid) as ok from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = $1)`,
      [db],
    );
    expect(killed).toStrictEqual([{ ok: true }]);
    await eventually(async () => run.stderr().includes('lost the shared lock'), 10_000);
    writeFileSync(join(dir, 'go'), '');
    const done = await run.done;
    expect(done.code).toBe(0);
    expect(done.stderr).toContain('lifeboat: warning: lost the shared lock of runbook lost-lock');
    expect(done.stderr).not.toContain(PASSWORD);
  }, 120_000);
});

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The text of every file under `dir`. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSafe(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push(readFileSync(path, 'latin1'));
  }
  return out;
}
