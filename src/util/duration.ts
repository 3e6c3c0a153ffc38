import { z } from 'zod';
import { InternalError } from '../errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;

/** Regular expression a duration string must match: `250ms`, `30s`, `5m`, `2h`, `1m30s`. */
export const DURATION_PATTERN = '^(\\d+(\\.\\d+)?(ms|s|m|h|d))+$';

/**
 * Parses a duration string into milliseconds; returns undefined when it is not one.
 * Accepts compound values such as `1m30s`.
 */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let end = 0;
  for (let m = PART.exec(s); m; m = PART.exec(s)) {
    total += Number(m[1]) * (UNIT_MS[m[2]!] ?? NaN);
    end = PART.lastIndex;
  }
  if (end !== s.length || !Number.isFinite(total)) return undefined;
  return total;
}

/** Formats milliseconds for people: `850ms`, `2.310s`, `12.35s`, `4m05s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const sign = ms < 0 ? '-' : '';
  // Round once, to the precision shown, before choosing the unit: 59.999s must not print as 60.00s.
  const a = Math.round(Math.abs(ms));
  if (a < 1000) return `${sign}${a}ms`;
  if (a < 10_000) return `${sign}${Number((a / 1000).toFixed(3))}s`;
  const centis = Math.round(a / 10);
  if (centis < 6000) return `${sign}${Number((centis / 100).toFixed(2))}s`;
  const seconds = Math.round(a / 1000);
  return `${sign}${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

/**
 * The longest delay a timer can hold (2^31−1 ms, about 24.8 days): Node's setTimeout fires at
 * once for anything longer, so a 30-day wait would end immediately.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** MAX_TIMER_MS written as a duration. */
export const MAX_TIMER_TEXT = '24d20h31m23.647s';

const DURATION_RE = new RegExp(DURATION_PATTERN);
const durationString = () => z.string().regex(DURATION_RE, { message: 'expected a duration such as 250ms, 30s, 5m or 2h' });
// Checked after the pattern, so a malformed value gets one message, not two.
const notMalformed = (s: string) => !DURATION_RE.test(s);

/** A duration string such as `250ms`, `30s`, `5m`, `2h` or `1m30s` that a timer waits for: at most MAX_TIMER_MS. */
export const Duration = durationString()
  .refine((s) => notMalformed(s) || (parseDuration(s) ?? Infinity) <= MAX_TIMER_MS, {
    message: `must be at most ${MAX_TIMER_TEXT} (${MAX_TIMER_MS}ms), the longest a timer can wait`,
  })
  .describe('Duration: a number and a unit (ms, s, m, h, d), e.g. 250ms, 30s, 5m, 2h, 1m30s.');

/**
 * A duration that is compared, never waited for (objectives, backup ages): it may be longer than
 * a timer can hold, but must be a finite number of milliseconds.
 */
export const ObjectiveDuration = durationString()
  .refine((s) => notMalformed(s) || parseDuration(s) !== undefined, { message: 'too large to be a duration' })
  .describe('Duration: a number and a unit (ms, s, m, h, d), e.g. 250ms, 30s, 5m, 2h, 90d.');

/** Converts a validated duration string to milliseconds. */
export function ms(d: string): number {
  const v = parseDuration(d);
  if (v === undefined) throw new InternalError(`not a duration: ${d}`);
  return v;
}

/** A map of string values (environment variables, HTTP headers). */
export const StringMap = z.record(z.string(), z.string());
