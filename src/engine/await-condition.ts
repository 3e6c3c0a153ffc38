import { sleep } from '../util/abort.js';

/** How often the engine re-evaluates a condition over the timeline (steady state, recovery). */
export const POLL_MS = 10;

/**
 * The one polling loop of a run: evaluates `condition` every {@link POLL_MS} until it returns a
 * value (done) or `deadline` (on `now()`'s clock) passes. Rejects only when `signal` aborts.
 */
export async function awaitCondition<T>(options: {
  condition: () => T | undefined;
  now: () => number;
  deadline: number;
  signal: AbortSignal;
}): Promise<{ done: true; value: T } | { done: false }> {
  for (;;) {
    const value = options.condition();
    if (value !== undefined) return { done: true, value };
    if (options.now() > options.deadline) return { done: false };
    await sleep(POLL_MS, options.signal);
  }
}
