import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../timeline/timeline-event.js';
import { measure, recoveryState } from './measure.js';

const ok = (probe: string, start: number, t: number): TimelineEvent => ({ kind: 'probe', probe, start, t, ok: true });
const bad = (probe: string, start: number, t: number): TimelineEvent => ({ kind: 'probe', probe, start, t, ok: false, error: 'down' });
const ack = (probe: string, writer: string, seq: number, t: number): TimelineEvent => ({ kind: 'write-ack', probe, writer, seq, t, endpoint: 'a' });
const faultStarted = (t: number): TimelineEvent => ({ kind: 'phase', phase: 'fault', status: 'started', t });
const step = (stepId: string, status: 'started' | 'succeeded', t: number): TimelineEvent => ({ kind: 'step', phase: 'fault', stepId, status, t });
const markers = (probe: string, missing: string[], t = 99_000): TimelineEvent => ({ kind: 'markers', probe, endpoint: 'replica', missing, t });
/** Checks of `probe` every `every` ms over [from, to), each taking `takes` ms. */
const checks = (probe: string, from: number, to: number, every: number, isOk: boolean, takes = 5): TimelineEvent[] => {
  const out: TimelineEvent[] = [];
  for (let s = from; s < to; s += every) out.push(isOk ? ok(probe, s, s + takes) : bad(probe, s, s + takes));
  return out;
};
const base = { recoveryProbes: ['w'], stableForMs: 100, objectives: { rtoMs: 1000 } };

describe('measure: the outage start is observed', () => {
  it('takes t0 from the first failed check after the fault began, not from the fault step (a script that kills and runs on)', () => {
    // The fault step runs 1000–2000 (it breaks the service at about 1020 and keeps running for 1 s).
    const timeline = [...checks('w', 0, 1000, 50, true), faultStarted(1000), step('kill', 'started', 1000), ...checks('w', 1000, 1020, 10, true), ...checks('w', 1020, 2500, 10, false), step('kill', 'succeeded', 2000), ...checks('w', 2500, 3000, 10, true)];
    const r = measure({ ...base, timeline });
    expect(r.measurements.outageStartAt).toBe(1020);
    expect(r.measurements.outageObserved).toBe(true);
    expect(r.measurements.faultStartedAt).toBe(1000);
    expect(r.measurements.faultEndedAt).toBe(2000);
    expect(r.measurements.recoveredAt).toBe(2505);
    expect(r.measurements.rtoMs).toBe(2505 - 1020);
  });

  it('sees an outage that begins after the fault step returned (a cloud API that returns first)', () => {
    const timeline = [faultStarted(1000), step('reboot', 'started', 1000), step('reboot', 'succeeded', 1010), ...checks('w', 1000, 3000, 10, true), ...checks('w', 3000, 4000, 10, false), ...checks('w', 4000, 4500, 10, true)];
    const r = measure({ ...base, timeline });
    expect(r.measurements.outageStartAt).toBe(3000);
    expect(r.measurements.rtoMs).toBe(4005 - 3000);
  });

  it('says no outage was observed, RTO 0 at its resolution, when no recovery check failed', () => {
    const timeline = [faultStarted(1000), ...checks('w', 1000, 1500, 10, true)];
    const r = measure({ ...base, timeline });
    expect(r.measurements.outageObserved).toBe(false);
    expect(r.measurements.outageStartAt).toBeUndefined();
    expect(r.measurements.rtoMs).toBe(0);
    expect(r.measurements.rtoResolutionMs).toBe(10);
    expect(r.met).toBe(true);
  });

  it('ignores failures of checks that started before the fault began', () => {
    const timeline = [bad('w', 990, 1200), faultStarted(1000), ...checks('w', 1000, 1500, 10, true)];
    expect(measure({ ...base, timeline }).measurements.outageObserved).toBe(false);
  });
});

describe('measure: a resume', () => {
  it('keeps t0 of the attempt that died and counts the unobserved gap as outage (a 60 s outage across a resume is not 95 ms)', () => {
    const timeline = [
      ...checks('w', 0, 1000, 50, true),
      faultStarted(1000),
      ...checks('w', 1000, 1200, 10, false),
      // The runner died at about 1200; it is resumed at 61 000, when the service is back.
      { kind: 'run', status: 'resumed', t: 61_000 } as TimelineEvent,
      ...checks('w', 61_010, 61_500, 10, true),
    ];
    const r = measure({ ...base, timeline });
    expect(r.measurements.outageStartAt).toBe(1000);
    expect(r.measurements.recoveredAt).toBe(61_015);
    expect(r.measurements.rtoMs).toBe(60_015);
  });

  it('counts the gap as outage even when every check before the crash succeeded', () => {
    const timeline = [faultStarted(1000), ...checks('w', 1000, 1200, 10, true), { kind: 'run', status: 'resumed', t: 5000 } as TimelineEvent, ...checks('w', 5010, 5500, 10, true)];
    const r = measure({ ...base, timeline });
    // The last thing the dead attempt recorded was the check that ended at 1195.
    expect(r.measurements.outageStartAt).toBe(1195);
    expect(r.measurements.rtoMs).toBe(5015 - 1195);
  });
});

describe('measure: the resolution is what was observed', () => {
  it('is the largest gap between check starts around t0 and t1, not the configured interval', () => {
    // Configured every 1 ms, but the scheduler only managed a check every 270 ms around t0.
    const timeline = [faultStarted(1000), ok('w', 1000, 1001), bad('w', 1270, 1271), bad('w', 1300, 1301), ok('w', 1310, 1311), ...checks('w', 1320, 1600, 10, true)];
    const r = measure({ ...base, stableForMs: 50, timeline });
    expect(r.measurements.outageStartAt).toBe(1270);
    expect(r.measurements.recoveredAt).toBe(1311);
    expect(r.measurements.rtoResolutionMs).toBe(270);
  });
});

describe('measure: data loss', () => {
  const outage = [...checks('w', 0, 1000, 100, true), faultStarted(1000), ...checks('w', 1000, 1100, 10, false), ...checks('w', 1100, 1400, 10, true)];

  it('sums the losses of several writes probes, each read on its own, and reports the worst RPO', () => {
    const timeline = [
      ...outage,
      ack('w', 'w/a1', 1, 100),
      ack('w', 'w/a1', 2, 900),
      ack('w', 'w/a1', 3, 950),
      ack('v', 'v/a1', 1, 200),
      ack('v', 'v/a1', 2, 600),
      ack('v', 'v/a1', 3, 990),
      markers('w', ['w/a1:3']),
      markers('v', ['v/a1:2', 'v/a1:3']),
    ];
    const r = measure({ ...base, objectives: { rpoMs: 500 }, writesIntervalMs: 50, timeline });
    expect(r.measurements.acknowledgedWrites).toBe(6);
    expect(r.measurements.lostWrites).toBe(3);
    expect(r.measurements.dataLossByProbe).toEqual([
      { probe: 'w', acknowledged: 3, lost: 1, rpoMs: 50, rpoIsLowerBound: false, readFrom: 'replica' },
      { probe: 'v', acknowledged: 3, lost: 2, rpoMs: 790, rpoIsLowerBound: false, readFrom: 'replica' },
    ]);
    expect(r.measurements.rpoMs).toBe(790);
    expect(r.measurements.rpoResolutionMs).toBe(50);
    expect(r.met).toBe(false);
  });

  it('shows a lower bound that never counts as met when nothing before the oldest lost write survived', () => {
    const timeline = [...outage, ack('w', 'w/a1', 1, 100), ack('w', 'w/a1', 2, 150), markers('w', ['w/a1:1', 'w/a1:2'])];
    const r = measure({ ...base, objectives: { rpoMs: 10_000 }, timeline });
    expect(r.measurements.rpoMs).toBe(50);
    expect(r.measurements.rpoIsLowerBound).toBe(true);
    expect(r.verdicts).toEqual([expect.objectContaining({ objective: 'rpo', met: false, measuredMs: 50, reason: expect.stringMatching(/^lower bound/) })]);
  });

  it('does not measure the RPO (missed, never 0) when no write was acknowledged before the outage', () => {
    const timeline = [...outage, ack('w', 'w/a1', 1, 1200), markers('w', [])];
    const r = measure({ ...base, objectives: { rpoMs: 1000 }, timeline });
    expect(r.measurements.rpoMs).toBeUndefined();
    expect(r.measurements.rpoNotMeasured).toBe('not measured: no write was acknowledged before the outage');
    expect(r.verdicts).toEqual([expect.objectContaining({ objective: 'rpo', met: false, measuredMs: undefined, reason: 'not measured: no write was acknowledged before the outage' })]);
  });

  it('ignores write acknowledgements made before the lab was replaced', () => {
    const timeline: TimelineEvent[] = [ack('w', 'a1', 1, 10), ack('w', 'a1', 2, 20), { kind: 'mark', name: 'lab-replaced', t: 30 }, ack('w', 'a2', 1, 40), ack('w', 'a2', 2, 50), faultStarted(60), bad('w', 60, 70), ok('w', 80, 90), ok('w', 200, 210), markers('w', ['a2:2'])];
    const r = measure({ ...base, timeline });
    expect(r.measurements.acknowledgedWrites).toBe(2);
    expect(r.measurements.lostWrites).toBe(1);
    expect(r.measurements.rpoMs).toBe(10);
  });
});

describe('recoveryState', () => {
  it('in a real failover takes the incident start as t0', () => {
    const timeline = [...checks('w', 1000, 1300, 10, false), ...checks('w', 1300, 1600, 10, true)];
    expect(recoveryState(timeline, ['w'], 100, 500, 'failover')).toMatchObject({ t0: 500, recoveredAt: 1305, rtoMs: 805 });
  });
});
