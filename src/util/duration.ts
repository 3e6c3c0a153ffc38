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

/** Formats milliseconds for people: `850ms`, `2.31s`, `4m05s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const sign = ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  if (a < 1000) return `${sign}${Math.round(a)}ms`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(a < 10_000 ? 3 : 2)}s`;
  const m = Math.floor(a / 60_000);
  const s = Math.round((a - m * 60_000) / 1000);
  return `${sign}${m}m${String(s).padStart(2, '0')}s`;
}
