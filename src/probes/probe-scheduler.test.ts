import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createClock } from '../timeline/clock.js';
import type { ProbeSample } from '../timeline/timeline-event.js';
import type { ProbeInstance } from '../providers/types.js';
import { ProbeScheduler } from './probe-scheduler.js';

const log = pino({ level: 'silent' });

/** A probe that hangs (until aborted) while `hanging` is true, and succeeds at once otherwise. */
function switchable() {
  const state = { hanging: false, closed: false };
  const instance: ProbeInstance = {
    check: (signal) =>
      state.hanging
        ? new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }))
        : Promise.resolve({ ok: true }),
    close: async () => {
      state.closed = true;
    },
  };
  return { state, instance };
}

describe('ProbeScheduler', () => {
  it('records a failed sample when a check outlives its timeout', async () => {
    const { state, instance } = switchable();
    state.hanging = true;
    const samples: ProbeSample[] = [];
    const s = new ProbeScheduler([{ name: 'p', instance, intervalMs: 20, timeoutMs: 50 }], createClock(), (x) => samples.push(x), log);
    s.start();
    await new Promise((r) => setTimeout(r, 150));
    await s.close();
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.every((x) => !x.ok && /timed out after 50 ms/.test(x.error ?? ''))).toBe(true);
    for (const x of samples) expect(x.t - x.start).toBeGreaterThanOrEqual(49);
    expect(state.closed).toBe(true);
  });

  it('keeps checking at its interval while older checks hang, so a recovery is seen within one interval', async () => {
    const { state, instance } = switchable();
    state.hanging = true;
    const samples: ProbeSample[] = [];
    const clock = createClock();
    const s = new ProbeScheduler([{ name: 'p', instance, intervalMs: 20, timeoutMs: 1000 }], clock, (x) => samples.push(x), log);
    s.start();
    await new Promise((r) => setTimeout(r, 100));
    state.hanging = false;
    const back = clock.now();
    await new Promise((r) => setTimeout(r, 100));
    await s.close();
    const firstOk = samples.find((x) => x.ok);
    expect(firstOk).toBeDefined();
    // Far below the 1 s timeout of the hung checks (a loaded CI machine may delay a tick a little).
    expect(firstOk!.t - back).toBeLessThan(300);
  });

  it('stops scheduling and aborts checks in flight on stop()', async () => {
    const { state, instance } = switchable();
    state.hanging = true;
    const samples: ProbeSample[] = [];
    const s = new ProbeScheduler([{ name: 'p', instance, intervalMs: 10, timeoutMs: 10_000 }], createClock(), (x) => samples.push(x), log);
    s.start();
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await s.stop();
    expect(Date.now() - started).toBeLessThan(500);
    const n = samples.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(samples.length).toBe(n);
  });
});
