import { describe, expect, it } from 'vitest';
import { DURATION_PATTERN, Duration, MAX_TIMER_MS, MAX_TIMER_TEXT, ObjectiveDuration, formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1m30s', 90_000],
    ['1h2m3s4ms', 3_723_004],
    ['1.5s', 1500],
    ['0s', 0],
  ])('reads %s as %d milliseconds', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  it('reads "1ms" as one millisecond, not one minute followed by garbage', () => {
    expect(parseDuration('1ms')).toBe(1);
    expect(parseDuration('1m')).toBe(60_000);
  });

  it.each(['', '   ', '5', 'ms', '5x', '-1s', '1 s', '1s2', '1.s', 's1', '1mss', 'soon', '1S'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('rejects a number too large to be finite', () => {
    expect(parseDuration(`${'9'.repeat(400)}s`)).toBeUndefined();
  });

  it('gives the same answer when called repeatedly (no state left in the sticky regex)', () => {
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('bad')).toBeUndefined();
    expect(parseDuration('2s')).toBe(2000);
  });

  it('agrees with DURATION_PATTERN on what is a duration', () => {
    const pattern = new RegExp(DURATION_PATTERN);
    for (const text of ['250ms', '1m30s', '1.5h', '5', 'ms', '1 s', '-1s', '1mss', '2d']) {
      expect(pattern.test(text), text).toBe(parseDuration(text) !== undefined);
    }
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [850, '850ms'],
    [999.4, '999ms'],
    [1000, '1s'],
    [2310, '2.31s'],
    [12_345, '12.35s'],
    [59_000, '59s'],
    [245_000, '4m05s'],
    [3_600_000, '60m00s'],
    [-1500, '-1.5s'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([
    [999.6, '1s'],
    [9_999.6, '10s'],
    [59_999, '1m00s'],
    [119_600, '2m00s'],
  ])('carries a rounded-up value into the next unit (%d ms → %s)', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('prints non-finite values as they are', () => {
    expect(formatDuration(Number.NaN)).toBe('NaN');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('Infinity');
  });
});

/** The messages a zod duration type gives for a value (none when it accepts it). */
const messagesOf = (type: typeof Duration, value: string) => type.safeParse(value).error?.issues.map((i) => i.message) ?? [];

describe('Duration (what a timer waits for)', () => {
  it('writes the longest a timer can hold, 2^31 - 1 ms, as a duration', () => {
    expect(MAX_TIMER_MS).toBe(2_147_483_647);
    expect(parseDuration(MAX_TIMER_TEXT)).toBe(MAX_TIMER_MS);
  });

  it('accepts up to MAX_TIMER_MS and rejects anything longer, saying the maximum', () => {
    const tooLong = 'must be at most 24d20h31m23.647s (2147483647ms), the longest a timer can wait';
    expect(messagesOf(Duration, MAX_TIMER_TEXT)).toEqual([]);
    expect(messagesOf(Duration, '24d20h31m23.648s')).toEqual([tooLong]);
    expect(messagesOf(Duration, '30d')).toEqual([tooLong]);
    expect(messagesOf(Duration, `${'9'.repeat(400)}ms`)).toEqual([tooLong]);
  });

  it('gives a malformed value one message, not two', () => {
    expect(messagesOf(Duration, '1e400ms')).toEqual(['expected a duration such as 250ms, 30s, 5m or 2h']);
  });
});

describe('ObjectiveDuration (compared, never waited for)', () => {
  it('accepts durations longer than a timer can hold', () => {
    expect(messagesOf(ObjectiveDuration, '365d')).toEqual([]);
  });

  it('rejects a value too large to be a number', () => {
    expect(messagesOf(ObjectiveDuration, `${'9'.repeat(400)}s`)).toEqual(['too large to be a duration']);
    expect(messagesOf(ObjectiveDuration, 'soon')).toEqual(['expected a duration such as 250ms, 30s, 5m or 2h']);
  });
});
