import { describe, expect, it } from 'vitest';
import { measure } from './measure.js';
import type { TimelineEvent } from '../timeline/timeline-event.js';

const ok = (probe: string, start: number, t: number): TimelineEvent => ({ kind: 'probe', probe, start, t, ok: true });
const bad = (probe: string, start: number, t: number): TimelineEvent => ({ kind: 'probe', probe, start, t, ok: false, error: 'down' });
const ack = (writer: string, seq: number, t: number): TimelineEvent => ({ kind: 'write-ack', probe: 'w', writer, seq, t, endpoint: 'a' });
const base = { recoveryProbes: ['w'], stableForMs: 100, resolutionMs: 50, objectives: { rtoMs: 1000, rpoMs: 100 } };

describe('measure', () => {
  it('measures RTO from the outage-start mark to the first stable recovery', () => {
    const timeline: TimelineEvent[] = [{ kind: 'mark', name: 'outage-start', t: 1000 }, bad('w', 1000, 1010), ok('w', 1050, 1060), ok('w', 1100, 1110), ok('w', 1150, 1170)];
    const r = measure({ ...base, timeline });
    expect(r.measurements.rtoMs).toBe(60);
    expect(r.met).toBe(false); // RPO objective without a data-loss reading is missed
  });

  it('does not let a stable window span a resume, where nothing was observed', () => {
    const timeline: TimelineEvent[] = [
      { kind: 'mark', name: 'outage-start', t: 1000 },
      ok('w', 1050, 1060),
      { kind: 'run', status: 'resumed', t: 1100 },
      ok('w', 5000, 5010),
      ok('w', 5050, 5060),
      ok('w', 5100, 5120),
    ];
    expect(measure({ ...base, timeline }).measurements.rtoMs).toBe(4010);
  });

  it('ignores write acknowledgements made before the lab was replaced', () => {
    const timeline: TimelineEvent[] = [ack('a1', 1, 10), ack('a1', 2, 20), { kind: 'mark', name: 'lab-replaced', t: 30 }, ack('a2', 1, 40), ack('a2', 2, 50)];
    const r = measure({ ...base, timeline, survivors: { endpoint: 'a', keys: new Set(['a2:1']) } });
    expect(r.measurements.acknowledgedWrites).toBe(2);
    expect(r.measurements.lostWrites).toBe(1);
    expect(r.measurements.rpoMs).toBe(10);
  });
});
