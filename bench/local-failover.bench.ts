// The quick-start drill (runbooks/local-postgres-failover.yaml) end to end, against a bare script
// doing the same failover by hand: how much Lifeboat adds to the outage it measures.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import pino from 'pino';
import { runDrill } from '../src/engine/run-drill.js';
import { readJournal } from '../src/engine/journal.js';
import type { RunResult } from '../src/verify/run-result.js';
import type { ProbeSample, TimelineEvent } from '../src/timeline/timeline-event.js';
import { startProcessLab } from '../src/lab/process/process-lab.js';
import { writeReports } from '../src/cli/write-reports.js';
import { loadRunbook } from '../src/runbook/load.js';
import { atMost, fmtMs, fmtS, info, type BenchReport, type Figure } from './support/bench-report.js';
import { removeLabLeftovers } from './support/lab-leftovers.js';
import { envCount, max, median, percentile } from './support/stats.js';
import { defaultRegistry } from '../src/cli/default-registry.js';

const RUNBOOK = resolve(import.meta.dirname, '../runbooks/local-postgres-failover.yaml');
const RTO_MEDIAN_TARGET_MS = 250;
const RTO_P95_TARGET_MS = 500;
const WALL_TARGET_MS = 8_000;
const RATIO_TARGET = 1.2;
/** Pause between two inserts of the bare script's writer. */
const WRITE_EVERY_MS = 3;
/** Pause between two attempts of the client that watches for the instant the replica takes writes. */
const WATCH_EVERY_MS = 2;

const silent = pino({ level: 'silent' });

/** What one drill took, and where its time went (every figure from its own timeline). */
interface DrillSample {
  wallMs: number;
  rtoMs: number;
  resolutionMs: number;
  /** outage start → promote step started (the failover phase's own journaling). */
  toPromoteMs: number;
  /** promote step started → succeeded (connect, pg_is_in_recovery, pg_promote(false), then pg_is_in_recovery every 5 ms). */
  promoteMs: number;
  /** promote step succeeded → recovered (t1); negative when the probes saw the promotion before the promote step returned. */
  detectMs: number;
  promoteAttempts: number;
  /** Per phase of the wall time. */
  phases: Record<string, number>;
}

type StepEvent = Extract<TimelineEvent, { kind: 'step' }>;

function stepAt(timeline: readonly TimelineEvent[], stepId: string, status: StepEvent['status'], pick: 'first' | 'last'): StepEvent {
  const events = timeline.filter((e): e is StepEvent => e.kind === 'step' && e.stepId === stepId && e.status === status);
  const e = pick === 'first' ? events[0] : events.at(-1);
  if (!e) throw new Error(`the timeline has no ${status} event for step ${stepId}`);
  return e;
}

function markAt(timeline: readonly TimelineEvent[], name: string): number {
  const e = timeline.find((x) => x.kind === 'mark' && x.name === name);
  if (!e) throw new Error(`the timeline has no ${name} mark`);
  return e.t;
}

function phaseAt(timeline: readonly TimelineEvent[], phase: string, status: string): number {
  const e = timeline.find((x) => x.kind === 'phase' && x.phase === phase && x.status === status);
  if (!e) throw new Error(`the timeline has no ${phase} ${status} event`);
  return e.t;
}

/** The lab root a run journaled (to check it is gone). */
function labRootOf(stateDir: string, runId: string): string | undefined {
  for (const entry of readJournal(join(stateDir, 'runs', runId, 'journal.jsonl'))) if (entry.type === 'lab') return entry.state.root;
  return undefined;
}

function analyse(result: RunResult, wallMs: number, reportedAt: number): DrillSample {
  const tl = result.timeline;
  const m = result.measurements;
  if (m.rtoMs === undefined || m.outageStartAt === undefined || m.recoveredAt === undefined) throw new Error(`drill ${result.runId}: no RTO measured`);
  const promoteStarted = stepAt(tl, 'promote', 'started', 'first');
  const promoteDone = stepAt(tl, 'promote', 'succeeded', 'last');
  const samples = tl.filter((e): e is ProbeSample => e.kind === 'probe');
  const runStart = tl.find((e) => e.kind === 'run')!.t;
  const labUp = Math.min(...samples.map((s) => s.start));
  const steady = markAt(tl, 'steady-state');
  const recoveryWaitEnd = phaseAt(tl, 'failback', 'started');
  const failbackDone = phaseAt(tl, 'failback', 'completed');
  return {
    wallMs,
    rtoMs: m.rtoMs,
    resolutionMs: m.rtoResolutionMs ?? NaN,
    toPromoteMs: promoteStarted.t - m.outageStartAt,
    promoteMs: promoteDone.t - promoteStarted.t,
    detectMs: m.recoveredAt - promoteDone.t,
    promoteAttempts: promoteDone.attempt ?? 1,
    phases: {
      'lab up (run start → first probe)': labUp - runStart,
      'steady state': steady - labUp,
      'fault (kill)': m.outageStartAt - steady,
      'outage (t0 → t1)': m.recoveredAt - m.outageStartAt,
      'stableFor wait, probes stop, markers read': recoveryWaitEnd - m.recoveredAt,
      'failback (rejoin)': failbackDone - recoveryWaitEnd,
      'teardown, measure, journal close': result.finishedAt - failbackDone,
      'reports written': reportedAt - result.finishedAt,
    },
  };
}

async function runOneDrill(stateDir: string): Promise<DrillSample> {
  const loaded = await loadRunbook(RUNBOOK, defaultRegistry());
  const started = performance.now();
  const result = await runDrill({ loaded, registry: defaultRegistry(), stateDir, log: silent });
  try {
    if (result.status !== 'completed') throw new Error(`drill ${result.runId} ${result.status}: ${result.error}`);
    if (result.cleanupErrors.length) throw new Error(`drill ${result.runId} cleanup: ${result.cleanupErrors.join('; ')}`);
    await writeReports(result, [join(stateDir, 'runs', result.runId)]);
    const wallMs = performance.now() - started;
    return analyse(result, wallMs, performance.timeOrigin + performance.now());
  } finally {
    const root = labRootOf(stateDir, result.runId);
    if (root) await removeLabLeftovers(root);
  }
}

/** What the bare script measured: kill returned → first insert accepted on the promoted replica. */
interface BareSample {
  rtoMs: number;
  promoteMs: number;
  /** kill returned → first insert accepted by a second client retrying every few ms (when the replica really took writes). */
  writableMs: number;
  writesBeforeKill: number;
}

function client(config: pg.ClientConfig): pg.Client {
  const c = new pg.Client(config);
  c.on('error', () => {}); // the primary dies under it
  return c;
}

/** The same failover done by hand: lab, a writer on the primary, SIGKILL, pg_promote(true, 60), insert until accepted. */
async function runBareFailover(): Promise<BareSample> {
  const lab = await startProcessLab({ primary: { kind: 'postgres' }, replica: { kind: 'postgres', replicaOf: 'primary' } }, { log: silent });
  const writer = client(lab.service('primary').connection());
  const replica = client(lab.service('replica').connection());
  const watcher = client(lab.service('replica').connection());
  try {
    await Promise.all([writer.connect(), replica.connect(), watcher.connect()]);
    await writer.query('create table bench_writes (id bigserial primary key, at timestamptz not null default clock_timestamp())');
    // The replica needs the table before it can take the writes.
    while (!(await replica.query<{ t: string | null }>("select to_regclass('bench_writes') as t")).rows[0]?.t) await sleep(5);

    let writing = true;
    let writes = 0;
    const loop = (async () => {
      while (writing) {
        try {
          await writer.query('insert into bench_writes default values');
          writes++;
        } catch {
          return; // the primary is gone
        }
        await sleep(WRITE_EVERY_MS);
      }
    })();
    while (writes < 20) await sleep(5);

    await lab.service('primary').kill();
    const killedAt = performance.now();
    writing = false;
    // Not part of the bare RTO: when the replica really starts taking writes (pg_promote(true) only
    // looks every 100 ms). A second connection, paced so that it adds little load to the replica.
    const writable = (async () => {
      for (;;) {
        try {
          await watcher.query('insert into bench_writes default values');
          return performance.now();
        } catch {
          await sleep(WATCH_EVERY_MS);
        }
      }
    })();
    const promoted = await replica.query<{ ok: boolean }>('select pg_promote(true, 60) as ok');
    const promotedAt = performance.now();
    if (!promoted.rows[0]?.ok) throw new Error('bare: pg_promote did not finish within 60 s');
    for (;;) {
      try {
        await replica.query('insert into bench_writes default values');
        break;
      } catch {
        await sleep(1);
      }
    }
    const writtenAt = performance.now();
    const writableAt = await writable;
    await loop;
    return { rtoMs: writtenAt - killedAt, promoteMs: promotedAt - killedAt, writableMs: writableAt - killedAt, writesBeforeKill: writes };
  } finally {
    await Promise.all([writer, replica, watcher].map((c) => c.end().catch(() => {})));
    try {
      await lab.teardown();
    } finally {
      await removeLabLeftovers(lab.root);
    }
  }
}

const dist = (values: number[], fmt: (v: number) => string = fmtMs) => `median ${fmt(median(values))}, min ${fmt(Math.min(...values))}, max ${fmt(max(values))}`;

export async function localFailoverBench(progress: (line: string) => void): Promise<BenchReport> {
  const drills = envCount('BENCH_DRILLS', 10);
  const bareRuns = envCount('BENCH_BARE', 10);
  const stateDir = mkdtempSync(join(tmpdir(), 'lifeboat-bench-failover-'));
  const drillSamples: DrillSample[] = [];
  const bareSamples: BareSample[] = [];
  try {
    // Interleaved, so that both see the same machine load.
    for (let i = 0; i < Math.max(drills, bareRuns); i++) {
      if (i < drills) {
        const d = await runOneDrill(stateDir);
        drillSamples.push(d);
        progress(
          `drill ${i + 1}/${drills}: RTO ${fmtMs(d.rtoMs)} (→promote ${fmtMs(d.toPromoteMs)}, promote ${fmtMs(d.promoteMs)}, detect ${fmtMs(d.detectMs)}), wall ${fmtS(d.wallMs)}`,
        );
      }
      if (i < bareRuns) {
        const b = await runBareFailover();
        bareSamples.push(b);
        progress(`bare ${i + 1}/${bareRuns}: RTO ${fmtMs(b.rtoMs)} (pg_promote returned after ${fmtMs(b.promoteMs)}, writable after ${fmtMs(b.writableMs)}; ${b.writesBeforeKill} writes before the kill)`);
      }
    }
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }

  const rtos = drillSamples.map((d) => d.rtoMs);
  const walls = drillSamples.map((d) => d.wallMs);
  const bare = bareSamples.map((b) => b.rtoMs);
  const ratio = median(rtos) / median(bare);
  const resolution = median(drillSamples.map((d) => d.resolutionMs));
  const phaseNames = Object.keys(drillSamples[0]!.phases);
  const figures: Figure[] = [
    atMost(`Lifeboat RTO, median (${drills} drills)`, median(rtos), RTO_MEDIAN_TARGET_MS),
    atMost('Lifeboat RTO, p95', percentile(rtos, 95), RTO_P95_TARGET_MS),
    info('  t0 → promote step started', dist(drillSamples.map((d) => d.toPromoteMs))),
    info('  promote step (connect + pg_promote + 5 ms polls)', dist(drillSamples.map((d) => d.promoteMs))),
    info('  promote step returned → recovered (t1)', dist(drillSamples.map((d) => d.detectMs))),
    atMost('drill wall time (lab up → report written), median', median(walls), WALL_TARGET_MS, fmtS),
    atMost('drill wall time, max', max(walls), WALL_TARGET_MS, fmtS),
    ...phaseNames.map((p) => info(`  ${p}`, fmtMs(median(drillSamples.map((d) => d.phases[p]!))))),
    info(`bare RTO (kill returned → insert accepted), ${bareRuns} runs`, dist(bare)),
    info('  of which kill returned → pg_promote(true, 60) returned', dist(bareSamples.map((b) => b.promoteMs))),
    info(`kill returned → replica really writable (${WATCH_EVERY_MS} ms retries)`, dist(bareSamples.map((b) => b.writableMs))),
    { figure: 'Lifeboat median RTO / bare median RTO', measured: `${ratio.toFixed(2)} (probe interval ${fmtMs(resolution, 0)})`, target: `≤ ${RATIO_TARGET}`, within: ratio <= RATIO_TARGET },
  ];
  return {
    title: 'local failover drill (runbooks/local-postgres-failover.yaml) against a bare script',
    figures,
    notes: [
      `Lifeboat's RTO runs from the first failed recovery check after the fault began (t0, observed) to the first instant both recovery probes (writes, ready) are up; its resolution is one probe interval (${fmtMs(resolution, 0)})`,
      `"really writable" comes from a second client on the replica retrying an insert every ${WATCH_EVERY_MS} ms during the bare runs: pg_promote(true) polls every 100 ms, so the bare RTO is rounded up to its next poll`,
      'phase rows are medians of each phase separately (they need not add up to the median wall time)',
      `promote attempts: ${drillSamples.map((d) => d.promoteAttempts).join(', ')}`,
    ],
  };
}
