/** Small statistics over measured samples (milliseconds unless said otherwise). */

function sorted(values: readonly number[]): number[] {
  if (values.length === 0) throw new Error('no samples');
  return [...values].sort((a, b) => a - b);
}

/** Median (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  const s = sorted(values);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0..100): with 10 samples, p95 is the largest. */
export function percentile(values: readonly number[], p: number): number {
  const s = sorted(values);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export function mean(values: readonly number[]): number {
  sorted(values);
  return values.reduce((a, b) => a + b, 0) / values.length;
}

export function max(values: readonly number[]): number {
  return sorted(values).at(-1)!;
}

export function min(values: readonly number[]): number {
  return sorted(values)[0]!;
}

/** Wall-clock milliseconds since the epoch on the monotonic clock (the basis of a run's clock). */
export function nowEpochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** A positive integer from an environment variable, or the default. */
export function envCount(name: string, fallback: number, minimum = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < minimum) throw new Error(`${name} must be an integer >= ${minimum}, got "${raw}"`);
  return n;
}
