import { describe, it, expect } from 'vitest';
import type { WriteAck } from '../timeline/timeline-event.js';
import { measureDataLoss } from './data-loss.js';
import { markerKey } from '../timeline/timeline-event.js';

function ack(writer: string, seq: number, t: number): WriteAck {
  return { kind: 'write-ack', probe: 'writes', writer, seq, t, endpoint: 'primary' };
}
function keys(...pairs: Array<[string, number]>): Set<string> {
  return new Set(pairs.map(([w, s]) => markerKey(w, s)));
}

describe('markerKey', () => {
  it('joins the writer and the sequence number with a colon', () => {
    expect(markerKey('w1', 7)).toBe('w1:7');
  });
});

describe('measureDataLoss', () => {
  it('reports no loss and an RPO of 0 when every acknowledged write is present', () => {
    const acks = [ack('w', 1, 100), ack('w', 2, 200), ack('w', 3, 300)];
    expect(measureDataLoss(acks, keys(['w', 1], ['w', 2], ['w', 3]))).toEqual({
      acknowledged: 3,
      lost: 0,
      lostWrites: [],
      rpoMs: 0,
      rpoIsLowerBound: false,
    });
  });

  it('measures the RPO from the newest surviving write to the newest lost write', () => {
    const acks = [100, 200, 300, 400, 550, 600].map((t, i) => ack('w', i + 1, t));
    expect(measureDataLoss(acks, keys(['w', 1], ['w', 2], ['w', 3]))).toEqual({
      acknowledged: 6,
      lost: 3,
      lostWrites: [
        { writer: 'w', seq: 4, t: 400 },
        { writer: 'w', seq: 5, t: 550 },
        { writer: 'w', seq: 6, t: 600 },
      ],
      rpoMs: 300,
      oldestLostAt: 400,
      newestLostAt: 600,
      survivingBeforeAt: 300,
      rpoIsLowerBound: false,
    });
  });

  it('ignores surviving writes acknowledged after the newest lost write', () => {
    // Writes 1 and 3 survive (3 landed on the new primary after failover); 2 was lost.
    const acks = [ack('w', 1, 100), ack('w', 2, 250), ack('w', 3, 900)];
    const result = measureDataLoss(acks, keys(['w', 1], ['w', 3]));
    expect(result).toMatchObject({ lost: 1, rpoMs: 150, newestLostAt: 250, survivingBeforeAt: 100 });
    expect(result.rpoIsLowerBound).toBe(false);
  });

  it('tells writers apart by name when they reuse sequence numbers', () => {
    const acks = [ack('a', 1, 100), ack('b', 1, 120), ack('a', 2, 200), ack('b', 2, 230)];
    const result = measureDataLoss(acks, keys(['a', 1], ['b', 1], ['a', 2]));
    expect(result.lostWrites).toEqual([{ writer: 'b', seq: 2, t: 230 }]);
    expect(result.rpoMs).toBe(30);
    expect(result.survivingBeforeAt).toBe(200);
  });

  it('counts a write acknowledged twice once, at its first acknowledgement', () => {
    const acks = [ack('w', 1, 100), ack('w', 2, 200), ack('w', 2, 260), ack('w', 3, 300), ack('w', 3, 300)];
    const result = measureDataLoss(acks, keys(['w', 1]));
    expect(result.acknowledged).toBe(3);
    expect(result.lost).toBe(2);
    expect(result.lostWrites).toEqual([
      { writer: 'w', seq: 2, t: 200 },
      { writer: 'w', seq: 3, t: 300 },
    ]);
    expect(result.rpoMs).toBe(200);
  });

  it('gives a lower bound from the earliest acknowledgement when nothing before the loss survived', () => {
    const acks = [ack('w', 1, 100), ack('w', 2, 200), ack('w', 3, 350)];
    expect(measureDataLoss(acks, new Set())).toEqual({
      acknowledged: 3,
      lost: 3,
      lostWrites: [
        { writer: 'w', seq: 1, t: 100 },
        { writer: 'w', seq: 2, t: 200 },
        { writer: 'w', seq: 3, t: 350 },
      ],
      rpoMs: 250,
      oldestLostAt: 100,
      newestLostAt: 350,
      rpoIsLowerBound: true,
    });
  });

  it('still gives a lower bound when only writes acknowledged after the loss survived', () => {
    const acks = [ack('w', 1, 100), ack('w', 2, 180), ack('w', 3, 400)];
    const result = measureDataLoss(acks, keys(['w', 3]));
    expect(result).toMatchObject({ lost: 2, rpoMs: 80, newestLostAt: 180, rpoIsLowerBound: true });
    expect(result.survivingBeforeAt).toBeUndefined();
  });

  it('reports nothing acknowledged when there were no acks', () => {
    expect(measureDataLoss([], keys(['w', 1]))).toEqual({
      acknowledged: 0,
      lost: 0,
      lostWrites: [],
      rpoMs: 0,
      rpoIsLowerBound: false,
    });
  });
});

describe('measureDataLoss: the RPO spans the whole loss', () => {
  it('measures from the newest survivor before the oldest lost write when lost and surviving writes interleave (split brain)', () => {
    // 250 writes over 5 s (one every 20 ms); from 1000 ms on every second one went to the old,
    // cut-off primary and was lost: 100 lost writes interleaved with 100 survivors.
    const acks: WriteAck[] = [];
    const present = new Set<string>();
    for (let i = 0; i < 250; i++) {
      const t = i * 20;
      acks.push(ack('w', i, t));
      const lost = t >= 1000 && i % 2 === 0;
      if (!lost) present.add(markerKey('w', i));
    }
    const r = measureDataLoss(acks, present);
    expect(r.lost).toBe(100);
    expect(r.oldestLostAt).toBe(1000);
    expect(r.newestLostAt).toBe(4960);
    // The newest survivor before the oldest lost write was acknowledged at 980 ms.
    expect(r.survivingBeforeAt).toBe(980);
    expect(r.rpoMs).toBe(4960 - 980);
    expect(r.rpoIsLowerBound).toBe(false);
  });
});
