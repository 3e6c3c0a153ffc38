import { describe, expect, it } from 'vitest';
import { problemsIn, positionOf } from './testing/problems.js';
import { isSchedule, nextOccurrence, parseSchedule } from './schedule.js';

const next = (schedule: string, after: string) => nextOccurrence(parseSchedule(schedule), new Date(after))?.toISOString();

describe('schedules', () => {
  it('gives each named cadence its documented instant, in UTC, across quarter and year boundaries', () => {
    expect(next('quarterly', '2026-12-31T23:59:59Z')).toBe('2027-01-01T03:00:00.000Z');
    expect(next('quarterly', '2027-01-01T03:00:00Z')).toBe('2027-04-01T03:00:00.000Z');
    expect(next('quarterly', '2027-03-31T12:00:00Z')).toBe('2027-04-01T03:00:00.000Z');
    expect(next('quarterly', '2027-07-01T02:59:59Z')).toBe('2027-07-01T03:00:00.000Z');
    expect(next('monthly', '2027-01-31T04:00:00Z')).toBe('2027-02-01T03:00:00.000Z');
    // 2027-01-01 is a Friday: the next Monday is the 4th.
    expect(next('weekly', '2027-01-01T00:00:00Z')).toBe('2027-01-04T03:00:00.000Z');
    expect(next('daily', '2027-01-01T03:00:00Z')).toBe('2027-01-02T03:00:00.000Z');
    expect(next('hourly', '2027-01-01T03:00:01Z')).toBe('2027-01-01T04:00:00.000Z');
    expect(next('yearly', '2027-01-01T03:00:00.001Z')).toBe('2028-01-01T03:00:00.000Z');
  });

  it('reads cron expressions in UTC, with either of day of month and day of week matching, as cron does', () => {
    expect(next('30 2 * * *', '2026-12-31T23:00:00Z')).toBe('2027-01-01T02:30:00.000Z');
    // The 15th, or any Monday: 2027-01-04 is a Monday before the 15th.
    expect(next('0 3 15 * 1', '2027-01-01T00:00:00Z')).toBe('2027-01-04T03:00:00.000Z');
    expect(next('0 3 * * MON-FRI', '2027-01-02T00:00:00Z')).toBe('2027-01-04T03:00:00.000Z');
    expect(parseSchedule('  0 3   1 * * ')).toStrictEqual({ text: '  0 3   1 * * ', cron: '0 3 1 * *' });
    expect(parseSchedule('quarterly')).toStrictEqual({ text: 'quarterly', cron: '0 3 1 1,4,7,10 *', name: 'quarterly' });
  });

  it('rejects values out of range, wrong field counts, non-portable syntax and expressions that never fire', () => {
    expect(() => parseSchedule('99 * * * *')).toThrow(/not a valid cron expression "99 \* \* \* \*": Invalid value for minute: 99/);
    expect(() => parseSchedule('0 25 * * *')).toThrow(/Invalid value for hour/);
    expect(() => parseSchedule('0 3 * *')).toThrow(/got 4 fields/);
    expect(() => parseSchedule('0 0 3 * * *')).toThrow(/got 6 fields/);
    expect(() => parseSchedule('every quarter')).toThrow(/expected hourly, daily, weekly, monthly, quarterly, yearly or a 5-field cron expression/);
    expect(() => parseSchedule('@daily')).toThrow(/got 1 field/);
    expect(() => parseSchedule('0 3 L * *')).toThrow(/day of month field "L"|not a valid cron expression/);
    expect(() => parseSchedule('0 3 ? * 1#2')).toThrow(/day of month field "\?"/);
    expect(() => parseSchedule('0 3 30 2 *')).toThrow(/never fires/);
    expect(isSchedule('Quarterly')).toBe(false);
    expect(isSchedule('0 3 1 */3 *')).toBe(true);
  });

  it('is checked by validate, at the line and column of the value, with the reason', () => {
    const text = ['apiVersion: lifeboat/v1', 'kind: Runbook', 'name: small', 'schedule: "99 * * * *"', 'objectives: { rto: 30s }', ''].join('\n');
    const problems = problemsIn(text);
    const { line, column } = positionOf(text, '"99');
    expect(problems).toContainEqual({ file: 'rb.yaml', line, column, path: 'schedule', message: expect.stringContaining('Invalid value for minute: 99') });
  });
});
