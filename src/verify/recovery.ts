import type { ProbeSample } from '../timeline/timeline-event.js';
import { InvalidInputError } from '../errors.js';

/** What {@link findRecovery} needs: the probe samples of a run and the recovery rule. */
export interface RecoveryInput {
  /** Probe samples in any order; samples of other probes are ignored. */
  samples: readonly ProbeSample[];
  /** The recovery probes (the runbook's `recovery.all`); every one must be up. */
  probes: readonly string[];
  /** Outage start (epoch ms). Samples started before it are ignored. */
  t0: number;
  /** How long every probe must stay up, from t1 on, for t1 to count (ms, >= 0). */
  stableForMs: number;
}

/** When the service recovered. Both fields are undefined when it did not (or not observably). */
export interface RecoveryResult {
  /** t1: the first instant from which every recovery probe stayed up for `stableForMs`. */
  recoveredAt: number | undefined;
  /** Measured RTO: `recoveredAt - t0`. */
  rtoMs: number | undefined;
}

/**
 * Finds t1, the first instant at or after `t0` from which every recovery probe was up,
 * continuously and observably, for `stableForMs` (SPEC §4).
 *
 * Only samples of the named probes that started at or after `t0` count. A probe is up from x
 * through y when its latest-started ok sample completed by x, no failed sample started between
 * that ok sample's start and y (however late it finished: a check that hangs inside the window
 * breaks it), and the probe has a sample completing at or after y (so the whole window was
 * observed). Checks still running are not in `samples`: a caller watching live must not accept
 * t1 while a check that started by t1 + stableFor is still running (see `undecidedBy`). Candidate instants are the completion times of the
 * counted samples. An empty probe list means recovered at `t0`.
 *
 * Runs in O(n log n) for n samples and a handful of probes.
 *
 * @throws InvalidInputError when `t0` is not finite or `stableForMs` is negative or not finite.
 */
export function findRecovery(input: RecoveryInput): RecoveryResult {
  const { samples, t0, stableForMs } = input;
  if (!Number.isFinite(t0)) throw new InvalidInputError(`t0 must be a finite number, got ${t0}`);
  if (!Number.isFinite(stableForMs) || stableForMs < 0) {
    throw new InvalidInputError(`stableForMs must be a finite number >= 0, got ${stableForMs}`);
  }
  const probes = new Set(input.probes);
  if (probes.size === 0) return { recoveredAt: t0, rtoMs: 0 };

  const byProbe = new Map<string, ProbeSample[]>();
  for (const p of probes) byProbe.set(p, []);
  for (const s of samples) {
    const list = byProbe.get(s.probe);
    if (list && s.start >= t0 && Number.isFinite(s.start) && Number.isFinite(s.t)) list.push(s);
  }

  const histories = [...byProbe.values()].map(buildHistory);
  // Every probe must be observed at or after x + stableFor; once the probe seen last the earliest
  // (lastObserved) is not, no later x can work either, so this check also ends the scan.
  const lastObserved = Math.min(...histories.map((h) => h.lastT));
  const candidates = [...new Set([...byProbe.values()].flat().map((s) => s.t))]
    .filter((t) => t >= t0)
    .sort((a, b) => a - b);

  for (const x of candidates) {
    const y = x + stableForMs;
    if (y > lastObserved) break;
    if (histories.every((h) => isUpThrough(h, x, y))) return { recoveredAt: x, rtoMs: x - t0 };
  }
  return { recoveredAt: undefined, rtoMs: undefined };
}

/** One probe's counted samples, indexed for binary search. */
interface ProbeHistory {
  /** Completion times of ok samples, ascending. */
  okT: number[];
  /** okMaxStart[i]: greatest start among the ok samples okT[0..i]. */
  okMaxStart: number[];
  /** Starts of failed samples, ascending. */
  failStart: number[];
  /** Latest completion of any sample (-Infinity when none). */
  lastT: number;
}

function buildHistory(samples: ProbeSample[]): ProbeHistory {
  const ok = samples.filter((s) => s.ok).sort((a, b) => a.t - b.t);
  const failed = samples.filter((s) => !s.ok).sort((a, b) => a.start - b.start);
  const okMaxStart: number[] = [];
  let maxStart = -Infinity;
  for (const s of ok) okMaxStart.push((maxStart = Math.max(maxStart, s.start)));
  return {
    okT: ok.map((s) => s.t),
    okMaxStart,
    failStart: failed.map((s) => s.start),
    lastT: samples.reduce((m, s) => Math.max(m, s.t), -Infinity),
  };
}

/** Whether the probe is up from x through y, given that it was observed at or after y. */
function isUpThrough(h: ProbeHistory, x: number, y: number): boolean {
  const i = firstIndex(h.okT, (t) => t > x) - 1;
  if (i < 0) return false;
  const okStart = h.okMaxStart[i]!;
  // Failures that started before the ok sample observed an earlier state and do not count; one
  // that started inside the window breaks it, whenever it completed.
  const j = firstIndex(h.failStart, (start) => start >= okStart);
  return j === h.failStart.length || h.failStart[j]! > y;
}

/**
 * Whether a live recovery decision must wait: t1 is not decided until every check that started
 * by t1 + stableFor has finished (one still running may yet fail and break the window).
 *
 * @param pendingStarts start instants of the recovery probes' checks still running
 */
export function undecidedBy(recoveredAt: number, stableForMs: number, pendingStarts: readonly number[]): boolean {
  return pendingStarts.some((start) => start <= recoveredAt + stableForMs);
}

/** Index of the first element of an ascending array satisfying a monotone predicate. */
function firstIndex(sorted: readonly number[], pred: (v: number) => boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(sorted[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
