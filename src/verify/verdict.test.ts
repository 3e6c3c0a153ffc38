import { describe, it, expect } from 'vitest';
import { allMet, judge } from './verdict.js';

describe('judge', () => {
  it('meets an RTO objective with the margin left over', () => {
    expect(judge({ rtoMs: 30_000 }, { rtoMs: 12_500, recovered: true })).toEqual([
      { objective: 'rto', targetMs: 30_000, measuredMs: 12_500, met: true, marginMs: 17_500 },
    ]);
  });

  it('misses an RTO objective with a negative margin when recovery took longer', () => {
    expect(judge({ rtoMs: 30_000 }, { rtoMs: 31_250, recovered: true })).toEqual([
      { objective: 'rto', targetMs: 30_000, measuredMs: 31_250, met: false, marginMs: -1_250 },
    ]);
  });

  it('meets an objective measured exactly at its target, with a margin of 0', () => {
    const [rpo] = judge({ rpoMs: 5_000 }, { rpoMs: 5_000, recovered: true });
    expect(rpo).toMatchObject({ objective: 'rpo', met: true, marginMs: 0 });
  });

  it('misses the RTO without a measurement when the service did not recover', () => {
    const [rto] = judge({ rtoMs: 30_000 }, { recovered: false });
    expect(rto).toMatchObject({ objective: 'rto', targetMs: 30_000, measuredMs: undefined, met: false });
    expect(rto?.marginMs).toBeUndefined();
    expect(rto?.reason).toMatch(/not recovered/);
  });

  it('misses the RPO with a reason when data loss was not measured', () => {
    const [rpo] = judge({ rpoMs: 5_000 }, { rtoMs: 1_000, recovered: true });
    expect(rpo).toMatchObject({ objective: 'rpo', targetMs: 5_000, measuredMs: undefined, met: false });
    expect(rpo?.marginMs).toBeUndefined();
    expect(rpo?.reason).toMatch(/not measured/);
  });

  it('judges both objectives, RTO first', () => {
    const verdicts = judge({ rpoMs: 5_000, rtoMs: 30_000 }, { rtoMs: 20_000, rpoMs: 7_000, recovered: true });
    expect(verdicts.map((v) => [v.objective, v.met, v.marginMs])).toEqual([
      ['rto', true, 10_000],
      ['rpo', false, -2_000],
    ]);
  });

  it('judges only the objectives the runbook states', () => {
    expect(judge({ rpoMs: 5_000 }, { rtoMs: 99_000, rpoMs: 0, recovered: true }).map((v) => v.objective)).toEqual([
      'rpo',
    ]);
    expect(judge({}, { rtoMs: 99_000, rpoMs: 99_000, recovered: true })).toEqual([]);
  });
});

describe('allMet', () => {
  it('is true only when every verdict is met', () => {
    expect(allMet(judge({ rtoMs: 30_000, rpoMs: 5_000 }, { rtoMs: 1, rpoMs: 0, recovered: true }))).toBe(true);
    expect(allMet(judge({ rtoMs: 30_000, rpoMs: 5_000 }, { rtoMs: 1, recovered: true }))).toBe(false);
  });

  it('is true when there is nothing to judge', () => {
    expect(allMet([])).toBe(true);
  });
});
