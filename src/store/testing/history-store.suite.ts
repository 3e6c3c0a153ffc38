import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunResult } from '../../verify/run-result.js';
import { isProcessAlive, type HistoryEntry, type HistoryStore, type RunStart } from '../history-store.js';

/** A fresh, empty store, and how to remove whatever it left behind. */
export interface OpenedHistoryStore {
  store: HistoryStore;
  cleanup: () => Promise<void>;
}

const T0 = Date.UTC(2026, 0, 15, 9, 30, 0);
const iso = (t: number) => new Date(t).toISOString();

function start(over: Partial<RunStart> = {}): RunStart {
  return { runId: 'run-1', runbook: 'orders', file: 'runbooks/orders.yaml', mode: 'drill', startedAt: T0, ...over };
}

/** A complete result with no undefined fields, so that a JSON round trip is exact. */
export function sampleResult(over: Partial<RunResult> = {}): RunResult {
  return {
    runId: 'run-1',
    runbook: 'orders',
    file: 'runbooks/orders.yaml',
    mode: 'drill',
    status: 'completed',
    verdict: 'met',
    startedAt: T0,
    finishedAt: T0 + 95_000,
    attempts: 1,
    objectives: { rtoMs: 60_000, rpoMs: 5_000 },
    measurements: { outageStartAt: T0 + 30_000, recoveredAt: T0 + 42_500, rtoMs: 12_500, rtoResolutionMs: 250, acknowledgedWrites: 120, lostWrites: 2, rpoMs: 750.5 },
    verdicts: [
      { objective: 'rto', targetMs: 60_000, measuredMs: 12_500, met: true, marginMs: 47_500 },
      { objective: 'rpo', targetMs: 5_000, measuredMs: 750.5, met: true, marginMs: 4_249.5 },
    ],
    steps: [{ phase: 'fault', id: 'kill-primary', status: 'succeeded', attempts: 1, startedAt: T0 + 29_000, endedAt: T0 + 30_000, durationMs: 1_000, output: { killed: 'primary' } }],
    cleanupErrors: ['teardown: container lab-primary already gone'],
    timeline: [
      { t: T0, kind: 'run', status: 'started' },
      { t: T0 + 30_000, kind: 'mark', name: 'outage-start' },
      { t: T0 + 31_000, kind: 'probe', probe: 'sql', start: T0 + 30_900, ok: false, error: 'connection refused' },
      { t: T0 + 40_000, kind: 'write-ack', probe: 'writes', writer: 'w1', seq: 7, endpoint: 'replica:5432' },
    ],
    ...over,
  };
}

/** The row `list` shows right after `begin(start(over))`. */
function runningEntry(over: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    runId: 'run-1',
    runbook: 'orders',
    file: 'runbooks/orders.yaml',
    mode: 'drill',
    status: 'running',
    verdict: null,
    startedAt: iso(T0),
    finishedAt: null,
    rtoMs: null,
    rpoMs: null,
    lostWrites: null,
    error: null,
    pid: process.pid,
    ...over,
  };
}

/** The pid of a process that has exited and been reaped. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => resolve());
  });
  const pid = child.pid!;
  expect(isProcessAlive(pid)).toBe(false);
  return pid;
}

/**
 * The behaviour every `HistoryStore` owes its callers. `open` gives each test a fresh, empty
 * store; a new store (PostgreSQL, …) calls this with its own `open` and passes the same tests.
 */
export function describeHistoryStore(name: string, open: () => Promise<OpenedHistoryStore>): void {
  describe(`${name}: the HistoryStore contract`, () => {
    let store: HistoryStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });
    afterEach(async () => {
      await store.close();
      await cleanup();
    });

    it('is empty when nothing was recorded', async () => {
      expect(await store.list()).toStrictEqual([]);
      expect(await store.result('run-1')).toBeUndefined();
    });

    it('lists a run that began as running, with this process as its pid and no result yet', async () => {
      await store.begin(start());
      expect(await store.list()).toStrictEqual([runningEntry()]);
      expect(await store.result('run-1')).toBeUndefined();
    });

    it('records the pid it is given', async () => {
      await store.begin(start({ pid: process.ppid }));
      expect(await store.list()).toStrictEqual([runningEntry({ pid: process.ppid })]);
    });

    it('stores the status, verdict and measurements at finish and returns the whole result', async () => {
      await store.begin(start());
      const result = sampleResult();
      await store.finish(result);
      expect(await store.list()).toStrictEqual([
        runningEntry({ status: 'completed', verdict: 'met', finishedAt: iso(T0 + 95_000), rtoMs: 12_500, rpoMs: 750.5, lostWrites: 2 }),
      ]);
      expect(await store.result('run-1')).toStrictEqual(result);
    });

    it('records a run that finishes without having begun', async () => {
      const result = sampleResult({ runId: 'run-9', status: 'failed', verdict: 'incomplete', error: 'step "promote" failed: timeout', measurements: {} });
      await store.finish(result);
      expect(await store.list()).toStrictEqual([
        runningEntry({ runId: 'run-9', status: 'failed', verdict: 'incomplete', finishedAt: iso(T0 + 95_000), error: 'step "promote" failed: timeout', pid: null }),
      ]);
      expect(await store.result('run-9')).toStrictEqual(result);
    });

    it('lists newest first, filtered by runbook, and limited', async () => {
      // Recorded out of order, so that only the start time can give the order.
      await store.begin(start({ runId: 'b', runbook: 'orders', startedAt: T0 + 2_000 }));
      await store.begin(start({ runId: 'a', runbook: 'orders', startedAt: T0 }));
      await store.begin(start({ runId: 'd', runbook: 'billing', startedAt: T0 + 4_000 }));
      await store.begin(start({ runId: 'c', runbook: 'billing', startedAt: T0 + 3_000 }));
      await store.finish(sampleResult({ runId: 'e', runbook: 'orders', startedAt: T0 + 5_000 }));
      const ids = (entries: HistoryEntry[]) => entries.map((e) => e.runId);
      expect(ids(await store.list())).toStrictEqual(['e', 'd', 'c', 'b', 'a']);
      expect(ids(await store.list({ runbook: 'orders' }))).toStrictEqual(['e', 'b', 'a']);
      expect(ids(await store.list({ runbook: 'billing' }))).toStrictEqual(['d', 'c']);
      expect(ids(await store.list({ runbook: 'inventory' }))).toStrictEqual([]);
      expect(ids(await store.list({ limit: 2 }))).toStrictEqual(['e', 'd']);
      expect(ids(await store.list({ runbook: 'orders', limit: 2 }))).toStrictEqual(['e', 'b']);
    });

    it('lists only the runs of a mode and a stored status when asked', async () => {
      await store.finish(sampleResult({ runId: 'drill-done', startedAt: T0 }));
      await store.finish(sampleResult({ runId: 'drill-failed', startedAt: T0 + 1_000, status: 'failed', verdict: 'incomplete' }));
      await store.finish(sampleResult({ runId: 'failover-done', startedAt: T0 + 2_000, mode: 'failover' }));
      await store.begin(start({ runId: 'drill-running', startedAt: T0 + 3_000 }));
      await store.finish(sampleResult({ runId: 'other-done', runbook: 'billing', startedAt: T0 + 4_000 }));
      const ids = (entries: HistoryEntry[]) => entries.map((e) => e.runId);
      expect(ids(await store.list({ mode: 'drill' }))).toStrictEqual(['other-done', 'drill-running', 'drill-failed', 'drill-done']);
      expect(ids(await store.list({ status: 'completed' }))).toStrictEqual(['other-done', 'failover-done', 'drill-done']);
      expect(ids(await store.list({ runbook: 'orders', mode: 'drill', status: 'completed', limit: 1 }))).toStrictEqual(['drill-done']);
      expect(ids(await store.list({ runbook: 'orders', status: 'running' }))).toStrictEqual(['drill-running']);
      expect(ids(await store.list({ runbook: 'orders', mode: 'failover', status: 'failed' }))).toStrictEqual([]);
    });

    it('lists 20 runs unless told otherwise', async () => {
      for (let i = 0; i < 25; i++) await store.begin(start({ runId: `run-${String(i).padStart(2, '0')}`, startedAt: T0 + i * 1_000 }));
      const listed = await store.list();
      expect(listed).toHaveLength(20);
      expect(listed[0]!.runId).toBe('run-24');
      expect(listed[19]!.runId).toBe('run-05');
      expect(await store.list({ limit: 25 })).toHaveLength(25);
    });

    it('reads a running run whose process died as abandoned, without changing what is stored', async () => {
      const dead = await deadPid();
      await store.begin(start({ runId: 'gone', pid: dead }));
      await store.begin(start({ runId: 'alive', startedAt: T0 + 1_000 }));
      expect(await store.list()).toStrictEqual([
        runningEntry({ runId: 'alive', startedAt: iso(T0 + 1_000) }),
        runningEntry({ runId: 'gone', status: 'abandoned', pid: dead }),
      ]);
      // A finished run is what it finished as, whatever became of its process.
      await store.finish(sampleResult({ runId: 'gone', status: 'aborted', verdict: 'incomplete' }));
      expect(await store.list()).toStrictEqual([
        runningEntry({ runId: 'alive', startedAt: iso(T0 + 1_000) }),
        runningEntry({ runId: 'gone', status: 'aborted', verdict: 'incomplete', finishedAt: iso(T0 + 95_000), rtoMs: 12_500, rpoMs: 750.5, lostWrites: 2, pid: dead }),
      ]);
    });

    it('sets a resumed run running again in the same row, keeping its start and taking the new pid', async () => {
      const dead = await deadPid();
      await store.begin(start({ pid: dead }));
      expect((await store.list())[0]!.status).toBe('abandoned');
      await store.begin(start({ startedAt: T0 + 600_000 }));
      expect(await store.list()).toStrictEqual([runningEntry()]);

      await store.finish(sampleResult({ status: 'aborted', verdict: 'incomplete', measurements: {} }));
      await store.begin(start({ startedAt: T0 + 900_000 }));
      const [entry, ...others] = await store.list();
      expect(others).toStrictEqual([]);
      expect(entry).toMatchObject({ runId: 'run-1', status: 'running', startedAt: iso(T0), pid: process.pid });

      const final = sampleResult({ attempts: 2 });
      await store.finish(final);
      expect(await store.list()).toStrictEqual([
        runningEntry({ status: 'completed', verdict: 'met', finishedAt: iso(T0 + 95_000), rtoMs: 12_500, rpoMs: 750.5, lostWrites: 2 }),
      ]);
      expect(await store.result('run-1')).toStrictEqual(final);
    });

    it('marks a run whose process died as aborted, with the note as its error, and keeps no result', async () => {
      const dead = await deadPid();
      await store.begin(start({ pid: dead }));
      expect(await store.markAbandoned('run-1', 'its process died; lab pruned', T0 + 600_000)).toBe(true);
      expect(await store.list()).toStrictEqual([
        runningEntry({ status: 'aborted', verdict: 'incomplete', finishedAt: iso(T0 + 600_000), error: 'its process died; lab pruned', pid: dead }),
      ]);
      expect(await store.result('run-1')).toBeUndefined();
      // Once is enough: the row is no longer running.
      expect(await store.markAbandoned('run-1', 'again', T0 + 700_000)).toBe(false);
      expect((await store.list())[0]).toMatchObject({ status: 'aborted', error: 'its process died; lab pruned' });
    });

    it('leaves a finished run, and a run it does not know, as they are when asked to mark them abandoned', async () => {
      const result = sampleResult();
      await store.finish(result);
      expect(await store.markAbandoned('run-1', 'pruned')).toBe(false);
      expect(await store.markAbandoned('no-such-run', 'pruned')).toBe(false);
      expect(await store.list()).toStrictEqual([
        runningEntry({ status: 'completed', verdict: 'met', finishedAt: iso(T0 + 95_000), rtoMs: 12_500, rpoMs: 750.5, lostWrites: 2, pid: null }),
      ]);
      expect(await store.result('run-1')).toStrictEqual(result);
    });

    it('records backup checks and lists them newest first, filtered by policy and limited, with their whole result', async () => {
      const check = (policy: string, at: number, compliant: boolean) => ({
        policy,
        resource: `${policy}-db`,
        file: `policies/${policy}.yaml`,
        checkedAt: at,
        compliant,
        result: { rules: [{ rule: 'copies', passed: compliant, why: '2 copies found; need 3' }], notes: [] },
      });
      expect(await store.backupChecks()).toStrictEqual([]);
      await store.recordBackupCheck(check('orders', T0, false));
      await store.recordBackupCheck(check('orders', T0 + 60_000, true));
      await store.recordBackupCheck(check('billing', T0 + 30_000, true));
      expect(await store.backupChecks()).toStrictEqual([check('orders', T0 + 60_000, true), check('billing', T0 + 30_000, true), check('orders', T0, false)]);
      expect(await store.backupChecks({ policy: 'orders', limit: 1 })).toStrictEqual([check('orders', T0 + 60_000, true)]);
      // Backup checks are not runs.
      expect(await store.list()).toStrictEqual([]);
    });

    it('can be closed twice', async () => {
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
    });
  });
}
