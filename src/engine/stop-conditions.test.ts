import { describe, expect, it } from 'vitest';
import type { ProbeSample } from '../timeline/timeline-event.js';
import { StopConditions } from './stop-conditions.js';

const sample = (probe: string, start: number, ok: boolean, extra: Partial<ProbeSample> = {}): ProbeSample => ({ t: start + 10, kind: 'probe', probe, start, ok, ...(ok ? {} : { error: 'boom' }), ...extra });

describe('StopConditions', () => {
  it('trips on the first failed check of a named probe started inside the window, once, with the reason', () => {
    const parent = new AbortController();
    const s = new StopConditions(['guard'], parent.signal);
    expect(s.observe(sample('guard', 50, false))).toBeUndefined(); // before the window opened
    s.open(100);
    expect(s.observe(sample('guard', 90, false))).toBeUndefined(); // started before it
    expect(s.observe(sample('other', 120, false))).toBeUndefined(); // not a stop condition
    expect(s.observe(sample('guard', 130, true))).toBeUndefined();
    expect(s.observe(sample('guard', 140, false, { unobserved: true }))).toBeUndefined(); // a resume gap is no observation
    expect(s.observe(sample('guard', 150, false))).toBe('stop condition: probe guard failed: boom');
    expect(s.tripped).toBe(true);
    expect(s.signal.aborted).toBe(true);
    expect((s.signal.reason as Error).message).toBe('stop condition: probe guard failed: boom');
    expect(s.observe(sample('guard', 160, false))).toBeUndefined();
    expect(parent.signal.aborted).toBe(false);
  });

  it('ignores failures after the window closed, and follows the run signal', () => {
    const parent = new AbortController();
    const s = new StopConditions(['guard'], parent.signal);
    s.open(0);
    s.close();
    expect(s.observe(sample('guard', 10, false))).toBeUndefined();
    parent.abort(new Error('SIGINT'));
    expect(s.signal.aborted).toBe(true);
    expect(s.tripped).toBe(false);
  });
});
