import { performance } from 'node:perf_hooks';

/** A monotonic clock anchored once to wall time: `now()` is epoch milliseconds with sub-ms precision. */
export interface Clock {
  /** Epoch milliseconds (fractional), derived from the monotonic clock. */
  now(): number;
  /** The wall-clock instant the clock was anchored at (epoch ms). */
  readonly anchoredAt: number;
}

/** Anchors a monotonic clock to the current wall time. Call once per run (and once per resume). */
export function createClock(): Clock {
  const anchorWall = Date.now();
  const anchorMono = performance.now();
  return {
    anchoredAt: anchorWall,
    now: () => anchorWall + (performance.now() - anchorMono),
  };
}

/** A clock the caller moves by hand, for tests. */
export function manualClock(start = 0): Clock & { advance(ms: number): void; set(ms: number): void } {
  let t = start;
  return {
    anchoredAt: start,
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
    set(ms: number) {
      t = ms;
    },
  };
}
