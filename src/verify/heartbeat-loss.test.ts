import { describe, expect, it } from 'vitest';
import { heartbeatLoss } from './heartbeat-loss.js';

// Beats every 100 ms, acknowledged 5 ms after they were sent.
const beats = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ seq: from + i * 100, ackedAt: from + i * 100 + 5 }));

describe('heartbeatLoss', () => {
  it('is the newest acknowledged beat minus the newest beat present on the new primary', () => {
    const acks = beats(1_000, 10); // acked at 1005 ... 1905
    const present = new Set(acks.slice(0, 6).map((a) => a.seq)); // last present acked at 1505
    expect(heartbeatLoss(acks, present, 2_000)).toEqual({ acknowledged: 10, lost: 4, newestAckedAt: 1905, newestPresentAt: 1505, rpoMs: 400, rpoIsLowerBound: false });
  });

  it('is not fooled by beats the heartbeat wrote to the new primary after the failover', () => {
    const before = beats(1_000, 10);
    const after = beats(5_000, 3);
    const present = new Set([...before.slice(0, 6), ...after].map((a) => a.seq));
    expect(heartbeatLoss([...before, ...after], present, 2_000)).toMatchObject({ lost: 4, rpoMs: 400, newestPresentAt: 5205 });
  });

  it('is 0 when every acknowledged beat is present', () => {
    const acks = beats(1_000, 5);
    expect(heartbeatLoss(acks, new Set(acks.map((a) => a.seq)), 2_000)).toMatchObject({ lost: 0, rpoMs: 0, rpoIsLowerBound: false });
  });

  it('is a lower bound when no beat survived', () => {
    const acks = beats(1_000, 5);
    expect(heartbeatLoss(acks, new Set(), 2_000)).toMatchObject({ lost: 5, rpoMs: 400, rpoIsLowerBound: true });
  });

  it('is not measured when no beat was acknowledged before the incident', () => {
    const acks = beats(3_000, 5);
    const r = heartbeatLoss(acks, new Set(), 2_000);
    expect(r.rpoMs).toBeUndefined();
    expect(r.notMeasured).toMatch(/no heartbeat was acknowledged before the incident/);
  });
});
