import { markerKey, type WriteAck } from '../timeline/timeline-event.js';

/** One acknowledged write that is missing after recovery. */
export interface LostWrite {
  writer: string;
  seq: number;
  /** When its acknowledgement arrived (epoch ms). */
  t: number;
}

/** Data loss measured from write markers (SPEC §4). */
export interface DataLossResult {
  /** Distinct acknowledged writes. */
  acknowledged: number;
  /** Distinct acknowledged writes missing after recovery. */
  lost: number;
  /** The missing writes, oldest acknowledgement first. */
  lostWrites: LostWrite[];
  /** Measured RPO: newest lost ack − newest surviving ack before it; 0 when nothing was lost. */
  rpoMs: number;
  /** Ack time of the newest lost write. */
  newestLostAt?: number;
  /** Ack time of the newest surviving write acknowledged at or before the newest lost one. */
  newestSurvivingBeforeAt?: number;
  /**
   * True when no surviving write precedes the newest lost one, so the RPO is measured from the
   * earliest acknowledged write instead: the real loss window started earlier than we can see.
   */
  rpoIsLowerBound: boolean;
}

/**
 * Compares the acknowledged writes with the markers present on the endpoint that accepts writes
 * after recovery, and measures the lost writes and the RPO.
 *
 * A write acknowledged more than once counts once, at its earliest acknowledgement.
 *
 * @param acks every write acknowledgement of the run, in any order
 * @param present the {@link markerKey}s found after recovery
 */
export function measureDataLoss(acks: readonly WriteAck[], present: ReadonlySet<string>): DataLossResult {
  const writes = new Map<string, LostWrite>();
  for (const a of acks) {
    const key = markerKey(a.writer, a.seq);
    const seen = writes.get(key);
    if (!seen || a.t < seen.t) writes.set(key, { writer: a.writer, seq: a.seq, t: a.t });
  }

  const lostWrites: LostWrite[] = [];
  const survivingTimes: number[] = [];
  for (const [key, w] of writes) {
    if (present.has(key)) survivingTimes.push(w.t);
    else lostWrites.push(w);
  }
  lostWrites.sort((a, b) => a.t - b.t || a.writer.localeCompare(b.writer) || a.seq - b.seq);

  const base = { acknowledged: writes.size, lost: lostWrites.length, lostWrites };
  const newestLost = lostWrites.at(-1);
  if (!newestLost) return { ...base, rpoMs: 0, rpoIsLowerBound: false };

  const newestLostAt = newestLost.t;
  let survivingBefore = -Infinity;
  for (const t of survivingTimes) if (t <= newestLostAt && t > survivingBefore) survivingBefore = t;
  if (survivingBefore === -Infinity) {
    // Every write up to the newest lost one is gone, so the earliest ack of all is the oldest lost
    // one: the loss window started no later than that, and we cannot see how much earlier.
    const earliest = lostWrites[0]!.t;
    return { ...base, rpoMs: newestLostAt - earliest, newestLostAt, rpoIsLowerBound: true };
  }
  return {
    ...base,
    rpoMs: newestLostAt - survivingBefore,
    newestLostAt,
    newestSurvivingBeforeAt: survivingBefore,
    rpoIsLowerBound: false,
  };
}
