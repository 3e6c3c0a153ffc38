import { measureDataLoss } from './data-loss.js';

/** One beat `lifeboat heartbeat` wrote and saw acknowledged: its id and when the ack arrived (epoch ms). */
export interface HeartbeatAck {
  seq: number;
  ackedAt: number;
}

/** What a real failover lost, measured from heartbeat beats. */
export interface HeartbeatLoss {
  acknowledged: number;
  lost: number;
  newestAckedAt?: number;
  newestPresentAt?: number;
  rpoMs?: number;
  rpoIsLowerBound?: boolean;
  notMeasured?: string;
}

/**
 * Pure: the data loss of a real failover from heartbeat beats (SPEC §4): the beats acknowledged
 * up to the reading, and which of them are present on the target (the new primary) now. The RPO
 * is the same span as for write markers: ack time of the newest lost beat − ack time of the
 * newest present beat acknowledged before the oldest lost one — in the simple case, newest
 * acknowledged beat − newest beat present. Beats written after the failover (the heartbeat kept
 * running against the new primary) are present and do not hide the loss before them.
 *
 * @param outageStart t0: with no beat acknowledged before it, nothing could be lost yet, so the
 *   RPO is not measured (never 0).
 */
export function heartbeatLoss(acks: readonly HeartbeatAck[], present: ReadonlySet<number>, outageStart: number): HeartbeatLoss {
  if (!acks.some((a) => a.ackedAt < outageStart)) return { acknowledged: acks.length, lost: 0, notMeasured: 'not measured: no heartbeat was acknowledged before the incident (is `lifeboat heartbeat` running?)' };
  const loss = measureDataLoss(
    acks.map((a) => ({ t: a.ackedAt, kind: 'write-ack', probe: 'heartbeat', writer: 'heartbeat', seq: a.seq, endpoint: '' })),
    new Set([...present].map((s) => `heartbeat:${s}`)),
  );
  const presentTimes = acks.filter((a) => present.has(a.seq)).map((a) => a.ackedAt);
  return {
    acknowledged: loss.acknowledged,
    lost: loss.lost,
    newestAckedAt: Math.max(...acks.map((a) => a.ackedAt)),
    ...(presentTimes.length ? { newestPresentAt: Math.max(...presentTimes) } : {}),
    rpoMs: loss.rpoMs,
    rpoIsLowerBound: loss.lost > 0 && loss.rpoIsLowerBound,
  };
}
