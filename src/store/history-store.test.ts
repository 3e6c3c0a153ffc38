import { afterEach, describe, expect, it, vi } from 'vitest';
import { isProcessAlive, withLiveness, type HistoryEntry } from './history-store.js';

const entry = (over: Partial<HistoryEntry>): HistoryEntry => ({
  runId: 'r1',
  runbook: 'orders',
  file: 'orders.yaml',
  mode: 'drill',
  status: 'running',
  verdict: null,
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: null,
  rtoMs: null,
  rpoMs: null,
  lostWrites: null,
  error: null,
  pid: 4242,
  ...over,
});

function killFailingWith(code: string) {
  return vi.spyOn(process, 'kill').mockImplementation(() => {
    throw Object.assign(new Error(code), { code });
  });
}

describe('process liveness', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('calls a process that cannot be found dead, and one that belongs to someone else alive', () => {
    const kill = killFailingWith('ESRCH');
    expect(isProcessAlive(4242)).toBe(false);
    expect(kill).toHaveBeenCalledWith(4242, 0);
    killFailingWith('EPERM');
    expect(isProcessAlive(4242)).toBe(true);
  });

  it('calls this process alive', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
  });

  it('reads a running entry whose process is dead as abandoned', () => {
    expect(withLiveness(entry({}), () => false)).toStrictEqual(entry({ status: 'abandoned' }));
    expect(withLiveness(entry({}), () => true)).toStrictEqual(entry({}));
  });

  it('leaves finished entries, entries without a pid and impossible pids as they are, without asking', () => {
    const alive = vi.fn(() => false);
    for (const e of [entry({ status: 'completed' }), entry({ status: 'failed' }), entry({ pid: null }), entry({ pid: 0 }), entry({ pid: -1 })])
      expect(withLiveness(e, alive)).toStrictEqual(e);
    expect(alive).not.toHaveBeenCalled();
  });
});
