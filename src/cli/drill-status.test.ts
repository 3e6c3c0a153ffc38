import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../store/history-store.js';
import { drillStatus } from './drill-status.js';

function drilled(startedAt: string, verdict = 'met'): HistoryEntry {
  return {
    runId: `run-${startedAt}`,
    runbook: 'orders',
    file: 'runbooks/orders.yaml',
    mode: 'drill',
    status: 'completed',
    verdict,
    startedAt,
    finishedAt: startedAt.replace(/:00\.000Z$/, ':42.000Z'),
    rtoMs: 1_000,
    rpoMs: 0,
    lostWrites: 0,
    error: null,
    pid: null,
  };
}

const at = (iso: string) => new Date(iso);
const quarterly = { name: 'orders', schedule: 'quarterly' };

describe('drillStatus', () => {
  it('is due at the first quarter start after the last drill, and overdue once that instant has passed, across the year boundary', () => {
    const last = drilled('2026-10-01T03:00:05.000Z');
    const before = drillStatus(quarterly, 'orders.yaml', last, at('2026-12-31T23:59:59Z'));
    expect(before).toMatchObject({ state: 'ok', overdue: false, nextDue: '2027-01-01T03:00:00.000Z', overdueByMs: null });
    expect(before.lastDrill).toStrictEqual({ runId: last.runId, startedAt: last.startedAt, finishedAt: last.finishedAt, verdict: 'met' });
    // Due at 03:00 exactly is not yet late; one second after is.
    expect(drillStatus(quarterly, 'orders.yaml', last, at('2027-01-01T03:00:00Z'))).toMatchObject({ state: 'ok', overdue: false });
    expect(drillStatus(quarterly, 'orders.yaml', last, at('2027-01-01T03:00:01Z'))).toMatchObject({
      state: 'overdue',
      overdue: true,
      nextDue: '2027-01-01T03:00:00.000Z',
      overdueByMs: 1_000,
    });
  });

  it('moves the due date to the next quarter once the quarter has been drilled', () => {
    const status = drillStatus(quarterly, 'orders.yaml', drilled('2027-01-01T03:00:00.000Z'), at('2027-03-31T23:00:00Z'));
    expect(status).toMatchObject({ state: 'ok', nextDue: '2027-04-01T03:00:00.000Z' });
    // A drill made late in the quarter counts for that quarter only: the next one is still due on 1 July.
    expect(drillStatus(quarterly, 'orders.yaml', drilled('2027-06-30T12:00:00.000Z'), at('2027-07-01T04:00:00Z'))).toMatchObject({
      state: 'overdue',
      nextDue: '2027-07-01T03:00:00.000Z',
      overdueByMs: 3_600_000,
    });
  });

  it('keeps the verdict of the last drill, missed or met, and judges the cadence only', () => {
    const status = drillStatus({ name: 'orders', schedule: 'monthly' }, 'orders.yaml', drilled('2026-12-01T03:00:00.000Z', 'missed'), at('2026-12-15T00:00:00Z'));
    expect(status).toMatchObject({ state: 'ok', nextDue: '2027-01-01T03:00:00.000Z', lastDrill: { verdict: 'missed' } });
  });

  it('counts a grace period before a drill is overdue', () => {
    const last = drilled('2026-12-01T03:00:00.000Z');
    const monthly = { name: 'orders', schedule: 'monthly' };
    expect(drillStatus(monthly, 'f', last, at('2027-01-01T05:00:00Z'), 2 * 3_600_000)).toMatchObject({ overdue: false });
    expect(drillStatus(monthly, 'f', last, at('2027-01-01T05:00:01Z'), 2 * 3_600_000)).toMatchObject({ overdue: true, overdueByMs: 2 * 3_600_000 + 1_000 });
  });

  it('calls a scheduled runbook that was never drilled overdue, and one without schedule unscheduled', () => {
    expect(drillStatus(quarterly, 'f', undefined, at('2027-01-01T00:00:00Z'))).toStrictEqual({
      runbook: 'orders',
      file: 'f',
      schedule: 'quarterly',
      lastDrill: null,
      nextDue: null,
      overdue: true,
      overdueByMs: null,
      state: 'overdue',
    });
    expect(drillStatus({ name: 'orders' }, 'f', drilled('2020-01-01T00:00:00.000Z'), at('2027-01-01T00:00:00Z'))).toMatchObject({
      schedule: null,
      state: 'unscheduled',
      overdue: false,
      nextDue: null,
    });
  });

  it('follows a cron expression in UTC', () => {
    // Every Monday 06:30 UTC; 2027-01-04 is a Monday.
    const weekly = { name: 'orders', schedule: '30 6 * * 1' };
    expect(drillStatus(weekly, 'f', drilled('2026-12-28T06:30:00.000Z'), at('2027-01-04T06:29:00Z'))).toMatchObject({ state: 'ok', nextDue: '2027-01-04T06:30:00.000Z' });
    expect(drillStatus(weekly, 'f', drilled('2026-12-28T06:30:00.000Z'), at('2027-01-04T06:31:00Z'))).toMatchObject({ state: 'overdue', overdueByMs: 60_000 });
  });
});
