import { describe, expect, it } from 'vitest';
import type { TimelineEvent, WriteAck } from '../timeline/timeline-event.js';
import { measure } from './measure.js';
import { measureRestoreLoss } from './restore-loss.js';

const ack = (seq: number, t: number, writer = 'w/a1'): WriteAck => ({ kind: 'write-ack', probe: 'w', writer, seq, t, endpoint: 'primary' });
const keys = (...seqs: number[]) => new Set(seqs.map((s) => `w/a1:${s}`));

describe('measureRestoreLoss: the RPO of a restore is the age of the restored data', () => {
  it('measures t0 − the newest write present in the restored copy, not the span of the lost acks', () => {
    // Writes every 100 ms from 1000; the backup holds up to seq 5 (t 1400); the primary dies at t0 = 2030.
    const acks = Array.from({ length: 11 }, (_, i) => ack(i + 1, 1000 + i * 100));
    const r = measureRestoreLoss(acks, keys(1, 2, 3, 4, 5), 2030);
    expect(r.lost).toBe(6);
    expect(r.acknowledged).toBe(11);
    expect(r.restoredDataAt).toBe(1400);
    expect(r.rpoMs).toBe(630);
    expect(r.rpoIsLowerBound).toBe(false);
  });

  it('ignores writes acknowledged after t0 (made on the restored server) for the age', () => {
    const acks = [ack(1, 1000), ack(2, 1100), ack(3, 1200), ack(4, 5000), ack(5, 5100)];
    const r = measureRestoreLoss(acks, keys(1, 4, 5), 2000);
    expect(r.restoredDataAt).toBe(1000);
    expect(r.rpoMs).toBe(1000);
    expect(r.lost).toBe(2);
  });

  it('is the age of the copy also when nothing acknowledged was lost', () => {
    const r = measureRestoreLoss([ack(1, 1000), ack(2, 1100)], keys(1, 2), 1150);
    expect(r.lost).toBe(0);
    expect(r.rpoMs).toBe(50);
  });

  it('is a lower bound from the oldest acknowledged write when the copy holds none of them', () => {
    const r = measureRestoreLoss([ack(1, 1000), ack(2, 1100), ack(3, 3000)], keys(3), 2000);
    expect(r.rpoIsLowerBound).toBe(true);
    expect(r.rpoMs).toBe(1000);
    expect(r.restoredDataAt).toBeUndefined();
  });

  it('counts a write acknowledged twice once, at its first acknowledgement', () => {
    const r = measureRestoreLoss([ack(1, 1000), ack(1, 1300), ack(2, 1400)], keys(1), 2000);
    expect(r.restoredDataAt).toBe(1000);
    expect(r.acknowledged).toBe(2);
  });
});

describe('measure: a run with a restored mark', () => {
  const probe = (start: number, ok: boolean): TimelineEvent => ({ kind: 'probe', probe: 'w', start, t: start + 5, ok, ...(ok ? {} : { error: 'down' }) });
  const timeline = (restored: boolean): TimelineEvent[] => [
    ...[0, 100, 200, 300, 400].map((s) => probe(s, true)),
    ...[100, 200, 300, 400].map((t, i) => ack(i + 1, t + 5)),
    { kind: 'phase', phase: 'fault', status: 'started', t: 450 },
    probe(500, false),
    probe(600, false),
    ...(restored ? [{ kind: 'mark', name: 'restored', t: 650 } as TimelineEvent] : []),
    probe(700, true),
    ack(5, 705),
    probe(800, true),
    { kind: 'markers', probe: 'w', endpoint: 'restored', missing: ['w/a1:3', 'w/a1:4'], t: 900 },
  ];

  it('measures the RPO to the observed t0 from the newest write present', () => {
    const r = measure({ timeline: timeline(true), recoveryProbes: ['w'], stableForMs: 50, objectives: { rpoMs: 1000 } });
    expect(r.measurements.outageStartAt).toBe(500);
    expect(r.measurements.lostWrites).toBe(2);
    expect(r.measurements.restoredDataAt).toBe(205);
    expect(r.measurements.rpoMs).toBe(500 - 205);
  });

  it('searches the outage from the end of a backup taken in the fault phase, not from the phase start', () => {
    // A write check fails at 460, while the backup runs (a busy machine); the primary dies at 500.
    const withBackup: TimelineEvent[] = timeline(true).flatMap((e) =>
      e.kind === 'phase' ? [e, probe(460, false), { kind: 'mark', name: 'fault-prepared', t: 480 } as TimelineEvent] : [e],
    );
    const r = measure({ timeline: withBackup, recoveryProbes: ['w'], stableForMs: 50, objectives: { rpoMs: 1000 } });
    expect(r.measurements.faultStartedAt).toBe(450);
    expect(r.measurements.outageStartAt).toBe(500);
    expect(r.measurements.rpoMs).toBe(500 - 205);
    const without = measure({ timeline: withBackup.filter((e) => e.kind !== 'mark' || e.name !== 'fault-prepared'), recoveryProbes: ['w'], stableForMs: 50, objectives: {} });
    expect(without.measurements.outageStartAt).toBe(460);
  });

  it('keeps the failover formula when the only restore came after the markers were read (a failback)', () => {
    const late = [...timeline(false), { kind: 'mark', name: 'restored', t: 950 } as TimelineEvent];
    const r = measure({ timeline: late, recoveryProbes: ['w'], stableForMs: 50, objectives: { rpoMs: 1000 } });
    expect(r.measurements.rpoMs).toBe(405 - 205);
  });

  it('keeps the failover formula (newest lost − newest surviving before it) without the mark', () => {
    const r = measure({ timeline: timeline(false), recoveryProbes: ['w'], stableForMs: 50, objectives: { rpoMs: 1000 } });
    expect(r.measurements.rpoMs).toBe(405 - 205);
    expect(r.measurements.restoredDataAt).toBeUndefined();
  });
});
