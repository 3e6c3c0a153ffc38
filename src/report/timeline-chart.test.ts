import { describe, expect, it } from 'vitest';
import type { ProbeSample } from '../timeline/timeline-event.js';
import { incompleteRunResult, metRunResult, splitBrainRunResult } from './testing/edge-run-results.js';
import { bandsOf, timelineChart } from './timeline-chart.js';
import { tickStep } from './timeline-svg.js';

const sample = (start: number, ok: boolean, t = start + 10, extra: Partial<ProbeSample> = {}): ProbeSample => ({ kind: 'probe', probe: 'p', start, t, ok, ...extra });

describe('bandsOf', () => {
  it('folds consecutive checks of one state into a band that lasts until the next check starts', () => {
    expect(bandsOf([sample(0, true), sample(100, true), sample(200, false), sample(300, false), sample(400, true, 450)])).toEqual([
      { state: 'up', start: 0, end: 200 },
      { state: 'down', start: 200, end: 400 },
      { state: 'up', start: 400, end: 450 },
    ]);
  });

  it('orders checks by their start, not by when their result came back', () => {
    expect(bandsOf([sample(100, false, 900), sample(0, true, 50), sample(200, true, 250)])).toEqual([
      { state: 'up', start: 0, end: 100 },
      { state: 'down', start: 100, end: 200 },
      { state: 'up', start: 200, end: 250 },
    ]);
  });

  it('shows the stand-in for a runner that was down as unobserved, never as up', () => {
    expect(bandsOf([sample(0, true), sample(100, false, 5_000, { unobserved: true }), sample(5_000, true, 5_010)]).map((b) => b.state)).toEqual(['up', 'unobserved', 'up']);
  });
});

describe('timelineChart', () => {
  it('takes t0, t1 and the fault steps from the measurements, and every phase and step with its span', () => {
    const r = metRunResult();
    const c = timelineChart(r);
    expect(c.outageStartAt).toBe(r.measurements.outageStartAt);
    expect(c.recoveredAt).toBe(r.measurements.recoveredAt);
    expect(c.faultStartedAt).toBe(r.measurements.faultStartedAt);
    expect(c.phases.map((p) => [p.phase, p.status, p.end - p.start])).toEqual([
      ['fault', 'completed', 100],
      ['failover', 'completed', 900],
    ]);
    expect(c.steps.map((s) => [s.id, s.status, s.attempts])).toEqual([
      ['kill-primary', 'succeeded', 1],
      ['promote', 'succeeded', 2],
    ]);
    expect(c.probes.map((p) => p.probe)).toEqual(['ready']);
    expect(c.marks.map((m) => m.name)).toEqual(['steady-state']);
  });

  it('marks exactly the acknowledged writes the markers reading found missing as lost', () => {
    const c = timelineChart(splitBrainRunResult());
    expect(c.writes).toHaveLength(56);
    expect(c.writes.filter((w) => w.lost).map((w) => `${w.writer}:${w.seq}`)).toEqual(['writes-1:13', 'writes-1:14', 'writes-1:15', 'writes-1:16', 'writes-1:17', 'writes-1:18', 'writes-1:19']);
    expect(c.marks.map((m) => m.name)).toContain('split-brain');
  });

  it('draws a phase and a step that never ended up to the end of the run', () => {
    const r = incompleteRunResult();
    const c = timelineChart(r);
    expect(c.phases.find((p) => p.phase === 'failover')).toMatchObject({ status: 'unfinished', end: r.finishedAt });
    expect(c.steps.find((s) => s.id === 'promote')).toMatchObject({ status: 'unfinished', end: r.finishedAt });
    expect(c.recoveredAt).toBeUndefined();
  });

  it('handles a timeline longer than a call can take arguments', () => {
    const r = metRunResult();
    const many = Array.from({ length: 300_000 }, (_, i) => sample(r.startedAt + i, true));
    const c = timelineChart({ ...r, timeline: [...many, ...r.timeline] });
    expect(c.probes.find((p) => p.probe === 'p')!.bands).toHaveLength(1);
  });
});

describe('tickStep', () => {
  it('picks 1, 2 or 5 × 10^k ms for about ten ticks', () => {
    expect(tickStep(10_000)).toBe(1_000);
    expect(tickStep(12_000)).toBe(2_000);
    expect(tickStep(45_000)).toBe(5_000);
    expect(tickStep(3_600_000)).toBe(500_000);
    expect(tickStep(3)).toBe(1);
  });
});
