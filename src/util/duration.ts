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

/** A duration string such as `250ms`, `30s`, `5m`, `2h` or `1m30s`. */
export const Duration = z
  .string()
  .regex(new RegExp(DURATION_PATTERN), { message: 'expected a duration such as 250ms, 30s, 5m or 2h' })
  .describe('Duration: a number and a unit (ms, s, m, h, d), e.g. 250ms, 30s, 5m, 2h, 1m30s.');

/** Converts a validated duration string to milliseconds. */
export function ms(d: string): number {
  const v = parseDuration(d);
  if (v === undefined) throw new InternalError(`not a duration: ${d}`);
  return v;
}

/** A map of string values (environment variables, HTTP headers). */
export const StringMap = z.record(z.string(), z.string());
