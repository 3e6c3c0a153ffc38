import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { ProbeSample } from '../timeline/timeline-event.js';
import { InvalidInputError } from '../errors.js';
import { findRecovery, undecidedBy } from './recovery.js';

function ok(probe: string, start: number, t: number): ProbeSample {
  return { kind: 'probe', probe, start, t, ok: true };
}
function fail(probe: string, start: number, t: number): ProbeSample {
  return { kind: 'probe', probe, start, t, ok: false, error: 'connection refused' };
}
/** Back-to-back samples of `probe` every `step` ms over [from, to), each lasting `step` ms. */
function series(probe: string, from: number, to: number, step: number, isOk: boolean): ProbeSample[] {
  const out: ProbeSample[] = [];
  for (let s = from; s < to; s += step) out.push(isOk ? ok(probe, s, s + step) : fail(probe, s, s + step));
  return out;
}

describe('findRecovery', () => {
  it('measures 150 ms when the probe fails at 1050 and 1100 and first succeeds at 1150', () => {
    const samples = [fail('db', 1000, 1050), fail('db', 1050, 1100), ok('db', 1100, 1150)];
    expect(findRecovery({ samples, probes: ['db'], t0: 1000, stableForMs: 0 })).toEqual({
      recoveredAt: 1150,
      rtoMs: 150,
    });
  });

  it('accepts the first ok sample once the probe stays up and observed for stableFor', () => {
    const samples = [fail('db', 1000, 1050), fail('db', 1050, 1100), ...series('db', 1100, 1250, 50, true)];
    expect(findRecovery({ samples, probes: ['db'], t0: 1000, stableForMs: 100 })).toEqual({
      recoveredAt: 1150,
      rtoMs: 150,
    });
  });

  it('restarts the stable window after a flap', () => {
    const samples = [
      fail('db', 1000, 1050),
      ok('db', 1050, 1100),
      ok('db', 1100, 1150),
      fail('db', 1150, 1200),
      ...series('db', 1200, 1400, 50, true),
    ];
    expect(findRecovery({ samples, probes: ['db'], t0: 1000, stableForMs: 100 })).toEqual({
      recoveredAt: 1250,
      rtoMs: 250,
    });
  });

  it('ignores a failure that started before the ok sample, even if it completes later', () => {
    // A slow check that started during the outage and timed out at 1300 saw the old state.
    const samples = [fail('db', 1000, 1300), ...series('db', 1100, 1400, 50, true)];
    expect(findRecovery({ samples, probes: ['db'], t0: 1000, stableForMs: 200 })).toEqual({
      recoveredAt: 1150,
      rtoMs: 150,
    });
  });

  it('counts a failure that started after the ok sample and breaks the window', () => {
    // The failure started at 1120, after the ok sample of 1100–1150 but before the one of 1150–1200.
    const samples = [fail('db', 1120, 1300), ...series('db', 1100, 1600, 50, true)];
    expect(findRecovery({ samples, probes: ['db'], t0: 1000, stableForMs: 200 })).toEqual({
      recoveredAt: 1200,
      rtoMs: 200,
    });
  });

  it('recovers when the last probe comes up while the others stay up', () => {
    const samples = [
      ...series('writes', 1000, 1100, 50, false),
      ...series('writes', 1100, 2000, 50, true),
      ...series('ready', 1000, 1300, 50, false),
      ...series('ready', 1300, 2000, 50, true),
    ];
    expect(findRecovery({ samples, probes: ['writes', 'ready'], t0: 1000, stableForMs: 500 })).toEqual({
      recoveredAt: 1350,
      rtoMs: 350,
    });
  });

  it('waits until every probe is up at once when one flaps after the other comes up', () => {
    const samples = [
      ...series('writes', 1000, 1100, 50, true),
      fail('writes', 1100, 1150),
      ...series('writes', 1150, 2000, 50, true),
      ...series('ready', 1000, 1050, 50, false),
      ...series('ready', 1050, 2000, 50, true),
    ];
    expect(findRecovery({ samples, probes: ['writes', 'ready'], t0: 1000, stableForMs: 300 })).toEqual({
      recoveredAt: 1200,
      rtoMs: 200,
    });
  });

  it('does not recover when the stable window reaches past the last observation', () => {
    const samples = [fail('db', 1000, 1050), ...series('db', 1050, 1500, 50, true)];
    expect(findRecovery({ samples, probes: ['db'], t0: 1000, stableForMs: 1000 })).toEqual({
      recoveredAt: undefined,
      rtoMs: undefined,
    });
  });

  it('does not recover when the probe is still failing at the end', () => {
    const samples = series('db', 1000, 5000, 50, false);
    expect(findRecovery({ samples, probes: ['db'], t0: 1000, stableForMs: 0 }).recoveredAt).toBeUndefined();
  });

  it('does not recover when a recovery probe has no samples at all', () => {
    const samples = series('writes', 1000, 2000, 50, true);
    expect(findRecovery({ samples, probes: ['writes', 'ready'], t0: 1000, stableForMs: 0 })).toEqual({
      recoveredAt: undefined,
      rtoMs: undefined,
    });
  });

  it('ignores samples that started before the outage', () => {
    // The ok sample started at 990 saw the pre-outage state though it completed at 1020.
    const samples = [ok('db', 900, 950), ok('db', 990, 1020), fail('db', 1000, 1040), ok('db', 1040, 1070)];
    expect(findRecovery({ samples, probes: ['db'], t0: 1000, stableForMs: 0 })).toEqual({
      recoveredAt: 1070,
      rtoMs: 70,
    });
  });

  it('ignores samples of probes that are not recovery probes', () => {
    const samples = [...series('db', 1000, 1200, 50, true), ...series('metrics', 1000, 1200, 10, false)];
    expect(findRecovery({ samples, probes: ['db'], t0: 1000, stableForMs: 100 })).toEqual({
      recoveredAt: 1050,
      rtoMs: 50,
    });
  });

  it('treats an empty probe list as recovered at the outage start', () => {
    expect(findRecovery({ samples: [fail('db', 1000, 1050)], probes: [], t0: 1000, stableForMs: 500 })).toEqual({
      recoveredAt: 1000,
      rtoMs: 0,
    });
  });

  it('rejects a negative stableFor', () => {
    expect(() => findRecovery({ samples: [], probes: ['db'], t0: 0, stableForMs: -1 })).toThrow(InvalidInputError);
  });

  it('finds the exact recovery in an hour of 50 ms samples from two probes', () => {
    const t0 = 1_700_000_000_000;
    const hour = 3_600_000;
    const samples = [
      ...series('writes', t0, t0 + 30_000, 50, false),
      ...series('writes', t0 + 30_000, t0 + hour, 50, true),
      ...series('ready', t0, t0 + 45_000, 50, false),
      ...series('ready', t0 + 45_000, t0 + 50_000, 50, true),
      fail('ready', t0 + 50_000, t0 + 50_050),
      ...series('ready', t0 + 50_050, t0 + hour, 50, true),
    ];
    expect(samples.length).toBeGreaterThan(140_000);
    expect(findRecovery({ samples, probes: ['writes', 'ready'], t0, stableForMs: 10_000 })).toEqual({
      recoveredAt: t0 + 50_100,
      rtoMs: 50_100,
    });
  });

  it('agrees with a literal reading of the definition on random timelines', () => {
    const sampleArb = fc
      .record({
        probe: fc.constantFrom('a', 'b', 'c'),
        start: fc.integer({ min: 0, max: 40 }),
        duration: fc.integer({ min: 0, max: 15 }),
        ok: fc.boolean(),
      })
      .map((r): ProbeSample => ({ kind: 'probe', probe: r.probe, start: r.start, t: r.start + r.duration, ok: r.ok }));
    fc.assert(
      fc.property(
        fc.array(sampleArb, { maxLength: 30 }),
        fc.subarray(['a', 'b'], { minLength: 1 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 20 }),
        (samples, probes, t0, stableForMs) => {
          expect(findRecovery({ samples, probes, t0, stableForMs }).recoveredAt).toBe(
            referenceRecovery(samples, probes, t0, stableForMs),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });
});

/** The definition of SPEC §4 as written, quadratic and obviously right. */
function referenceRecovery(samples: ProbeSample[], probes: string[], t0: number, stableForMs: number) {
  const counted = samples.filter((s) => probes.includes(s.probe) && s.start >= t0);
  const upThrough = (p: string, x: number, y: number): boolean => {
    const ps = counted.filter((s) => s.probe === p);
    const oks = ps.filter((s) => s.ok && s.t <= x);
    if (oks.length === 0) return false;
    const s = oks.reduce((a, b) => (b.start > a.start ? b : a));
    if (ps.some((f) => !f.ok && f.start >= s.start && f.start <= y)) return false;
    return ps.some((q) => q.t >= y);
  };
  const candidates = [...new Set(counted.map((s) => s.t))].filter((t) => t >= t0).sort((a, b) => a - b);
  return candidates.find((x) => probes.every((p) => upThrough(p, x, x + stableForMs)));
}

describe('findRecovery: a check that hangs inside the stable window', () => {
  it('breaks the window, however late it finishes (up 490 ms, then hung, is not recovered)', () => {
    // Up for 490 ms with checks every 10 ms, then the server freezes: the checks started from
    // 1490 on hang until their 1 s timeout. With stableFor 500 ms nothing was stable.
    const samples = [fail('db', 990, 1000), ...series('db', 1000, 1490, 10, true)];
    for (let s = 1490; s < 1800; s += 10) samples.push(fail('db', s, s + 1000));
    expect(findRecovery({ samples, probes: ['db'], t0: 990, stableForMs: 500 })).toEqual({ recoveredAt: undefined, rtoMs: undefined });
  });
});

describe('undecidedBy', () => {
  it('holds the decision while a check that started inside the window is still running', () => {
    expect(undecidedBy(1000, 500, [1400])).toBe(true);
    expect(undecidedBy(1000, 500, [1500])).toBe(true);
    expect(undecidedBy(1000, 500, [1501])).toBe(false);
    expect(undecidedBy(1000, 500, [])).toBe(false);
  });
});
