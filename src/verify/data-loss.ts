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
  /**
   * Measured RPO: ack time of the newest lost write − ack time of the newest surviving write
   * acknowledged before the *oldest* lost write, so the whole span of lost data counts, also when
   * lost and surviving writes interleave (split brain). 0 when nothing was lost.
   */
  rpoMs: number;
  /** Ack time of the oldest lost write. */
  oldestLostAt?: number;
  /** Ack time of the newest lost write. */
  newestLostAt?: number;
  /** Ack time of the newest surviving write acknowledged before the oldest lost one. */
  survivingBeforeAt?: number;
  /**
   * True when no surviving write precedes the oldest lost one: the RPO is measured from the oldest
   * lost write instead, and the real loss window may have begun earlier than anything observed.
   */
  rpoIsLowerBound: boolean;
}

/**
 * Compares the acknowledged writes with the markers present on the endpoint that accepts writes
 * after recovery, and measures the lost writes and the RPO.
 *
 * A write acknowledged more than once counts once, at its earliest acknowledgement.
 *
 * @param acks every counted write acknowledgement, in any order
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
  const oldestLost = lostWrites[0];
  const newestLost = lostWrites.at(-1);
  if (!oldestLost || !newestLost) return { ...base, rpoMs: 0, rpoIsLowerBound: false };

  let survivingBefore = -Infinity;
  for (const t of survivingTimes) if (t < oldestLost.t && t > survivingBefore) survivingBefore = t;
  const span = { oldestLostAt: oldestLost.t, newestLostAt: newestLost.t };
  if (survivingBefore === -Infinity) return { ...base, ...span, rpoMs: newestLost.t - oldestLost.t, rpoIsLowerBound: true };
  return { ...base, ...span, rpoMs: newestLost.t - survivingBefore, survivingBeforeAt: survivingBefore, rpoIsLowerBound: false };
}
