import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { incompleteRunResult, metRunResult, splitBrainRunResult } from '../report/testing/edge-run-results.js';
import type { HistoryStore } from '../store/history-store.js';
import { openStore } from '../store/open-store.js';
import type { RunResult } from '../verify/run-result.js';
import { lastSuccessAt } from './last-success.js';

const DAY = 86_400_000;
/** A copy of `r` as another run, ending `days` days after the original. */
const shifted = (r: RunResult, id: string, days: number, extra: Partial<RunResult> = {}): RunResult => ({
  ...r,
  runId: id,
  startedAt: r.startedAt + days * DAY,
  finishedAt: r.finishedAt + days * DAY,
  ...extra,
});

describe('lastSuccessAt', () => {
  let root: string;
  let store: HistoryStore;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'lifeboat-last-success-'));
    store = await openStore({ stateDir: root });
  });
  afterEach(async () => {
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  it('is the end of the newest met run of the same runbook and mode that ended before this one', async () => {
    const older = shifted(metRunResult(), 'met-1', 0);
    const newer = shifted(metRunResult(), 'met-2', 10);
    const failover = shifted(metRunResult(), 'met-failover', 15, { mode: 'failover' });
    const otherRunbook = shifted(metRunResult(), 'met-other', 16, { runbook: 'other-db' });
    const later = shifted(metRunResult(), 'met-later', 40);
    const missed = shifted(splitBrainRunResult(), 'missed-1', 20);
    const aborted = shifted(incompleteRunResult(), 'aborted-1', 18);
    for (const r of [older, newer, failover, otherRunbook, later, missed, aborted]) await store.finish(r);
    expect(await lastSuccessAt(store, missed)).toBe(Math.floor(newer.finishedAt));
    expect(await lastSuccessAt(store, aborted)).toBe(Math.floor(newer.finishedAt));
  });

  it('is the run itself when it met its objectives, and undefined when nothing ever did', async () => {
    const met = metRunResult();
    expect(await lastSuccessAt(store, met)).toBe(met.finishedAt);
    const missed = splitBrainRunResult();
    await store.finish(missed);
    expect(await lastSuccessAt(store, missed)).toBeUndefined();
  });
});
