import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { defaultRegistry } from '../src/cli/default-registry.js';
import { drillStatus } from '../src/cli/drill-status.js';
import { loadRunbookDir } from '../src/cli/runbook-dir.js';
import { startProcessLab } from '../src/lab/process/process-lab.js';
import type { HistoryStore } from '../src/store/history-store.js';
import { openStore } from '../src/store/open-store.js';
import { sampleResult } from '../src/store/testing/history-store.suite.js';
import { atMost, info, type BenchReport } from './support/bench-report.js';
import { envCount, median } from './support/stats.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist/cli/main.js');
const RUNBOOKS = 100;
const RUNS = 10_000;
const SCHEDULES = ['quarterly', 'monthly', 'weekly', '30 2 * * 1-5', '0 4 1,15 * *'];

function runbook(i: number): string {
  return [
    'apiVersion: lifeboat/v1',
    'kind: Runbook',
    `name: service-${String(i).padStart(3, '0')}`,
    `schedule: "${SCHEDULES[i % SCHEDULES.length]}"`,
    'objectives: { rto: 30s, rpo: 5s }',
    'lab: { driver: process, services: { primary: { kind: postgres }, replica: { kind: postgres, replicaOf: primary } } }',
    'resources: { primary: { type: lab.postgres, service: primary }, replica: { type: lab.postgres, service: replica } }',
    'probes:',
    '  writes: { type: postgres.writes, endpoints: [primary, replica], interval: 50ms }',
    '  ready: { type: postgres.query, endpoints: [primary, replica], writable: true }',
    'recovery: { all: [writes, ready], stableFor: 1s }',
    'fault: [ { id: kill, action: lab.kill, target: primary } ]',
    'failover: [ { id: promote, action: postgres.promote, target: replica } ]',
    'failback: [ { id: rejoin, action: postgres.rejoin, target: primary, source: replica } ]',
    '',
  ].join('\n');
}

/** 100 runs per runbook over three years: drills (some failed), failovers; newest first would be the last written. */
async function fill(store: HistoryStore): Promise<void> {
  const t0 = Date.UTC(2024, 0, 1);
  for (let n = 0; n < RUNS; n++) {
    const i = n % RUNBOOKS;
    const startedAt = t0 + n * 9_000_000;
    const kind = n % 7;
    await store.finish(
      sampleResult({
        runId: `run-${n}`,
        runbook: `service-${String(i).padStart(3, '0')}`,
        mode: kind === 6 ? 'failover' : 'drill',
        status: kind === 5 ? 'failed' : 'completed',
        verdict: kind === 5 ? 'incomplete' : kind === 4 ? 'missed' : 'met',
        startedAt,
        finishedAt: startedAt + 120_000,
      }),
    );
  }
}

// Prints the process's own CPU time (user + system) at exit: a figure a busy machine inflates far less than wall time.
const CPU_AT_EXIT = `data:text/javascript,process.on('exit',()=>{const u=process.cpuUsage();process.stderr.write('CPU-MS '+((u.user+u.system)/1000)+'\\n')})`;

function statusWallMs(args: string[]): { ms: number; cpuMs: number; out: string } {
  const t = performance.now();
  const r = spawnSync(process.execPath, ['--import', CPU_AT_EXIT, CLI, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = performance.now() - t;
  if (r.status !== 0 && r.status !== 1) throw new Error(`status exited ${r.status}: ${r.stderr}`);
  const cpu = /CPU-MS ([\d.]+)/.exec(r.stderr);
  if (!cpu) throw new Error(`status printed no CPU time: ${r.stderr}`);
  return { ms, cpuMs: Number(cpu[1]), out: r.stdout };
}

/** What `status` does once started, in this process: wall and CPU time (ms). */
async function statusInProcess(dir: string, options: { stateDir: string; store?: string }): Promise<{ wall: number; cpu: number }> {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const found = await loadRunbookDir(dir, defaultRegistry());
  const store = await openStore({ ...options, readOnly: true });
  const at = new Date('2027-01-01T00:00:00Z');
  for (const { runbook, file } of found.runbooks) {
    const [last] = await store.list({ runbook: runbook.name, mode: 'drill', status: 'completed', limit: 1 });
    drillStatus(runbook, file, last, at);
  }
  await store.close();
  const used = process.cpuUsage(cpu);
  return { wall: performance.now() - t, cpu: (used.user + used.system) / 1000 };
}

/** `lifeboat status` over 100 runbooks and 10,000 runs, with the SQLite history and with a shared PostgreSQL one. */
export async function statusBench(progress: (line: string) => void): Promise<BenchReport> {
  if (!existsSync(CLI)) throw new Error('dist/cli/main.js is missing: run `npm run build` first');
  const repeat = envCount('BENCH_STATUS_RUNS', 5);
  const root = mkdtempSync(join(tmpdir(), 'lifeboat-bench-status-'));
  process.env['LIFEBOAT_PG_BIN'] ??= '/usr/lib/postgresql/15/bin';
  const lab = await startProcessLab({ store: { kind: 'postgres' } });
  try {
    const dir = join(root, 'runbooks');
    mkdirSync(dir);
    for (let i = 0; i < RUNBOOKS; i++) writeFileSync(join(dir, `service-${String(i).padStart(3, '0')}.yaml`), runbook(i));
    const state = join(root, 'state');
    const { host, port } = lab.service('store').connection();
    const url = `postgres://postgres:bench-password@${host}:${port}/postgres`;
    for (const [label, options] of [['SQLite', { stateDir: state }], ['PostgreSQL', { stateDir: state, store: url }]] as const) {
      const t = performance.now();
      const store = await openStore(options);
      await fill(store);
      await store.close();
      progress(`${label}: ${RUNS} runs recorded in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    const args = (extra: string[]) => ['--state-dir', state, ...extra, 'status', dir, '--at', '2027-01-01T00:00:00Z', '--json'];
    const sqlite: number[] = [];
    const pg: number[] = [];
    const sqliteCpu: number[] = [];
    const pgCpu: number[] = [];
    let listed = 0;
    for (let k = 0; k < repeat; k++) {
      const a = statusWallMs(args([]));
      sqlite.push(a.ms);
      sqliteCpu.push(a.cpuMs);
      const b = statusWallMs(args(['--store', url]));
      pg.push(b.ms);
      pgCpu.push(b.cpuMs);
      listed = (JSON.parse(a.out) as { runbooks: unknown[] }).runbooks.length;
    }
    const inSqlite: Array<{ wall: number; cpu: number }> = [];
    const inPg: Array<{ wall: number; cpu: number }> = [];
    for (let k = 0; k < repeat; k++) {
      inSqlite.push(await statusInProcess(dir, { stateDir: state }));
      inPg.push(await statusInProcess(dir, { stateDir: state, store: url }));
    }
    const bare: number[] = [];
    for (let k = 0; k < repeat; k++) {
      const t = performance.now();
      spawnSync(process.execPath, ['-e', '0']);
      bare.push(performance.now() - t);
    }
    return {
      title: `status over ${RUNBOOKS} runbooks and ${RUNS} runs`,
      figures: [
        info('runbooks listed', String(listed)),
        atMost('status, SQLite history, median wall time (process start included)', median(sqlite), 1000),
        atMost('status, shared PostgreSQL history, median wall time', median(pg), 1000),
        info('status process CPU time (user+sys), SQLite / PostgreSQL, median', `${median(sqliteCpu).toFixed(1)} / ${median(pgCpu).toFixed(1)} ms`),
        info('node -e 0, median (how busy the machine is)', `${median(bare).toFixed(1)} ms`),
        info('status work in process (load 100 runbooks + 100 queries), SQLite: median wall / CPU', `${median(inSqlite.map((x) => x.wall)).toFixed(1)} / ${median(inSqlite.map((x) => x.cpu)).toFixed(1)} ms`),
        info('the same, shared PostgreSQL: median wall / CPU', `${median(inPg.map((x) => x.wall)).toFixed(1)} / ${median(inPg.map((x) => x.cpu)).toFixed(1)} ms`),
      ],
      notes: [`${repeat} interleaved runs of each, built CLI (dist/), one query per runbook for its last completed drill`],
    };
  } finally {
    await lab.teardown();
    rmSync(root, { recursive: true, force: true });
  }
}
