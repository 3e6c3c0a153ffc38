import type { WriteAck } from '../timeline/timeline-event.js';
import { measureDataLoss, type DataLossResult } from './data-loss.js';

/** Data loss of a restore from backup: the usual counts, and the RPO as the age of the restored data. */
export interface RestoreLossResult extends DataLossResult {
  /** Ack time of the newest write present in the restored copy (acknowledged before t0). */
  restoredDataAt?: number;
}

/**
 * Lost writes and RPO when the endpoint that accepts writes after recovery is a restored backup
 * (SPEC §4): RPO = t0 − ack time of the newest write present in the restored copy, the age of
 * the restored data. Every write acknowledged after the backup's point in time is lost, so the
 * newest of them is only as late as the last check before the outage: measuring to t0 counts
 * the whole span up to the outage, as a restore's RPO must.
 *
 * Writes acknowledged at or after t0 (on the restored server, after recovery) say nothing about
 * the age of the restored data and are ignored for the RPO. When no write acknowledged before t0
 * is present, the RPO is a lower bound: t0 − the oldest acknowledged write.
 *
 * @param t0 the observed outage start
 */
export function measureRestoreLoss(acks: readonly WriteAck[], present: ReadonlySet<string>, t0: number): RestoreLossResult {
  const base = measureDataLoss(acks, present);
  const first = new Map<string, number>();
  for (const a of acks) {
    const key = `${a.writer}:${a.seq}`;
    first.set(key, Math.min(first.get(key) ?? Infinity, a.t));
  }
  let newestPresent = -Infinity;
  let oldestBefore = Infinity;
  for (const [key, t] of first) {
    if (t >= t0) continue;
    oldestBefore = Math.min(oldestBefore, t);
    if (present.has(key) && t > newestPresent) newestPresent = t;
  }
  const { survivingBeforeAt: _unused, ...rest } = base;
  if (newestPresent !== -Infinity) return { ...rest, rpoMs: t0 - newestPresent, rpoIsLowerBound: false, restoredDataAt: newestPresent };
  if (oldestBefore !== Infinity) return { ...rest, rpoMs: t0 - oldestBefore, rpoIsLowerBound: true };
  return { ...rest, rpoMs: 0, rpoIsLowerBound: false };
}
