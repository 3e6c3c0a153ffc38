import { markerKey, type TimelineEvent, type WriteAck } from '../timeline/timeline-event.js';
import { measureDataLoss, type LostWrite } from './data-loss.js';
import { faultStartOf, observedOutageStart, observedResolution, recoverySamples } from './outage.js';
import { findRecovery } from './recovery.js';
import { measureRestoreLoss } from './restore-loss.js';
import type { RunMode } from './run-mode.js';
import { allMet, judge, type ObjectiveVerdict } from './verdict.js';

export { recoverySamples } from './outage.js';

/** Data loss seen by one writes probe. */
export interface ProbeDataLoss {
  probe: string;
  acknowledged: number;
  lost: number;
  rpoMs: number;
  rpoIsLowerBound: boolean;
  /** Endpoint its surviving markers were read from. */
  readFrom: string;
}

/** What the verifier measured, every figure derived from the recorded timeline. */
export interface Measurements {
  /** When the fault phase began (drill). */
  faultStartedAt?: number;
  /** When its last step ended. The fault's own timing is kept beside t0, not used as t0. */
  faultEndedAt?: number;
  /** t0: the start of the earliest failed recovery check after the fault began (drill), or the incident start (failover). */
  outageStartAt?: number;
  /** Whether an outage was observed at all: no failed recovery check means RTO 0 at its resolution. */
  outageObserved?: boolean;
  /** t1: first instant from which every recovery probe held for stableFor. */
  recoveredAt?: number;
  rtoMs?: number;
  /** RTO resolution: the largest gap observed between consecutive recovery-check starts around t0 and t1. */
  rtoResolutionMs?: number;
  acknowledgedWrites?: number;
  lostWrites?: number;
  lostWriteSample?: LostWrite[];
  rpoMs?: number;
  /** The RPO is a lower bound (`≥`): no surviving write precedes the oldest lost one. Never met. */
  rpoIsLowerBound?: boolean;
  /** RPO resolution: the writes interval. */
  rpoResolutionMs?: number;
  /** Why the RPO could not be measured (e.g. no write acknowledged before the outage). */
  rpoNotMeasured?: string;
  /** Per writes probe, when there is more than one. */
  dataLossByProbe?: ProbeDataLoss[];
  /** Endpoint the surviving markers were read from. */
  markersReadFrom?: string;
  /** Endpoints that all accepted writes when the markers were read (split brain), if more than one. */
  splitBrain?: string[];
  /**
   * A backup was restored (mark `restored`): the RPO is t0 − this, the ack time of the newest
   * write present in the restored copy (of the worst writes probe).
   */
  restoredDataAt?: number;
  /** A real failover's data loss measured from `lifeboat heartbeat` beats (when no writes probe measured it). */
  heartbeat?: { target: string; readFrom?: string; acknowledged: number; lost: number; newestAckedAt?: number; newestPresentAt?: number };
}

export interface MeasureInput {
  timeline: readonly TimelineEvent[];
  recoveryProbes: readonly string[];
  stableForMs: number;
  mode?: RunMode;
  objectives: { rtoMs?: number; rpoMs?: number };
  /** The configured interval of the writes probes (the RPO's resolution). */
  writesIntervalMs?: number;
}

/** Write acknowledgements that count: those after the last replacement of the lab (if any). */
export function countedAcks(timeline: readonly TimelineEvent[]): WriteAck[] {
  const replaced = timeline.filter((e) => e.kind === 'mark' && e.name === 'lab-replaced').at(-1)?.t ?? -Infinity;
  return timeline.filter((e): e is WriteAck => e.kind === 'write-ack' && e.t >= replaced);
}

/** The recovery of a run, as far as the timeline shows it (used live by the engine and after the run). */
export interface RecoveryState {
  /** Where the search starts: the fault's start (drill) or the incident start (failover). */
  from: number;
  t0?: number;
  outageObserved: boolean;
  recoveredAt?: number;
  rtoMs?: number;
}

/**
 * Where observation of the outage starts: the fault phase's start in a drill — or, when fault
 * steps only prepared the fault (a backup taken while writes flow, mark `fault-prepared`), the
 * last such mark: a check that failed while the backup ran is no outage — and the `outage-start`
 * mark otherwise.
 */
export function outageSearchStart(timeline: readonly TimelineEvent[], mode: RunMode = 'drill'): number | undefined {
  const marked = timeline.filter((e) => e.kind === 'mark' && e.name === 'outage-start').at(-1)?.t;
  if (mode !== 'drill') return marked;
  const faultStart = faultStartOf(timeline);
  if (faultStart === undefined) return marked;
  return timeline.filter((e) => e.kind === 'mark' && e.name === 'fault-prepared' && e.t >= faultStart).at(-1)?.t ?? faultStart;
}

/**
 * t0 and t1 from the timeline (SPEC §4): t0 is observed — the earliest failed recovery check
 * that started at or after `from` (a resume's unobserved gap counts as a failure); without one,
 * no outage was observed and recovery is the first stable window from `from` (RTO 0).
 */
export function recoveryState(timeline: readonly TimelineEvent[], probes: readonly string[], stableForMs: number, from: number, mode: RunMode = 'drill'): RecoveryState {
  const samples = recoverySamples(timeline, probes, from);
  // In a real failover the incident start is t0: the outage is known, not observed.
  const t0 = mode === 'drill' ? observedOutageStart(samples, probes, from) : from;
  const start = t0 ?? from;
  const r = findRecovery({ samples, probes, t0: start, stableForMs });
  return {
    from,
    ...(t0 !== undefined ? { t0 } : {}),
    outageObserved: t0 !== undefined,
    ...(r.recoveredAt !== undefined ? { recoveredAt: r.recoveredAt, rtoMs: t0 === undefined ? 0 : r.rtoMs } : {}),
  };
}

/** The markers each writes probe found after recovery (journaled, so a resume needs no server). */
function markerReadings(timeline: readonly TimelineEvent[]) {
  const byProbe = new Map<string, Extract<TimelineEvent, { kind: 'markers' }>>();
  for (const e of timeline) if (e.kind === 'markers') byProbe.set(e.probe, e);
  return byProbe;
}

/** Pure: timeline → measured RTO/RPO and a verdict per objective. */
export function measure(input: MeasureInput): { measurements: Measurements; verdicts: ObjectiveVerdict[]; met: boolean } {
  const { timeline, recoveryProbes, stableForMs } = input;
  const mode = input.mode ?? 'drill';
  const m: Measurements = {};
  const faultSteps = timeline.filter((e) => e.kind === 'step' && e.phase === 'fault');
  if (mode === 'drill') {
    const faultStart = faultStartOf(timeline);
    if (faultStart !== undefined) m.faultStartedAt = faultStart;
    const ended = faultSteps.filter((e) => e.kind === 'step' && e.status !== 'started' && e.status !== 'retrying').at(-1)?.t;
    if (ended !== undefined) m.faultEndedAt = ended;
  }

  const from = outageSearchStart(timeline, mode);
  let t0: number | undefined;
  if (from !== undefined) {
    const r = recoveryState(timeline, recoveryProbes, stableForMs, from, mode);
    t0 = r.t0;
    m.outageObserved = r.outageObserved;
    if (r.t0 !== undefined) m.outageStartAt = r.t0;
    if (r.recoveredAt !== undefined) {
      m.recoveredAt = r.recoveredAt;
      m.rtoMs = r.rtoMs;
    }
    const samples = recoverySamples(timeline, recoveryProbes, -Infinity);
    const around = [r.t0 ?? from, ...(r.recoveredAt !== undefined ? [r.recoveredAt] : [])];
    const resolution = observedResolution(samples, recoveryProbes, around);
    if (resolution !== undefined) m.rtoResolutionMs = resolution;
  }

  const readings = markerReadings(timeline);
  if (readings.size > 0) {
    const acks = countedAcks(timeline);
    const perProbe: ProbeDataLoss[] = [];
    const lostSample: LostWrite[] = [];
    let acknowledged = 0;
    let lost = 0;
    // When the markers were read from a restored backup, the RPO is the age of the restored data, measured to t0
    // (a restore in the failback, after the reading, changes nothing).
    const restores = timeline.filter((e) => e.kind === 'mark' && e.name === 'restored').map((e) => e.t);
    const reference = t0 ?? from;
    const restoredData: Array<number | undefined> = [];
    for (const [probe, reading] of readings) {
      const own = acks.filter((a) => a.probe === probe);
      const missing = new Set(reading.missing);
      const present = new Set(own.map((a) => markerKey(a.writer, a.seq)).filter((k) => !missing.has(k)));
      const fromRestore = reference !== undefined && restores.some((t) => t <= reading.t);
      const loss = fromRestore ? measureRestoreLoss(own, present, reference) : measureDataLoss(own, present);
      restoredData.push((loss as { restoredDataAt?: number }).restoredDataAt);
      acknowledged += loss.acknowledged;
      lost += loss.lost;
      lostSample.push(...loss.lostWrites);
      perProbe.push({ probe, acknowledged: loss.acknowledged, lost: loss.lost, rpoMs: loss.rpoMs, rpoIsLowerBound: loss.rpoIsLowerBound, readFrom: reading.endpoint });
    }
    m.acknowledgedWrites = acknowledged;
    m.lostWrites = lost;
    m.lostWriteSample = lostSample.sort((a, b) => a.t - b.t).slice(-20);
    // The worst probe decides; a lower bound anywhere makes the figure a lower bound.
    const worst = perProbe.reduce((a, b) => (b.rpoMs > a.rpoMs ? b : a));
    m.rpoMs = worst.rpoMs;
    const restoredDataAt = restoredData[perProbe.indexOf(worst)];
    if (restoredDataAt !== undefined) m.restoredDataAt = restoredDataAt;
    m.rpoIsLowerBound = perProbe.some((p) => p.rpoIsLowerBound && p.lost > 0);
    if (input.writesIntervalMs !== undefined) m.rpoResolutionMs = input.writesIntervalMs;
    if (perProbe.length > 1) m.dataLossByProbe = perProbe;
    m.markersReadFrom = [...new Set(perProbe.map((p) => p.readFrom))].join(', ');
    const split = [...readings.values()].flatMap((r) => r.splitBrain ?? []);
    if (split.length) m.splitBrain = [...new Set(split)];
    // Nothing acknowledged before the outage: there was nothing to lose yet, so a 0 would say nothing.
    if (reference !== undefined && !acks.some((a) => a.t < reference)) {
      m.rpoNotMeasured = 'not measured: no write was acknowledged before the outage';
      delete m.rpoMs;
      delete m.rpoIsLowerBound;
    }
  }
  const hb = timeline.filter((e): e is Extract<TimelineEvent, { kind: 'heartbeat' }> => e.kind === 'heartbeat').at(-1);
  if (hb && readings.size === 0) {
    m.heartbeat = {
      target: hb.target,
      ...(hb.readFrom !== undefined ? { readFrom: hb.readFrom } : {}),
      acknowledged: hb.acknowledged,
      lost: hb.lost,
      ...(hb.newestAckedAt !== undefined ? { newestAckedAt: hb.newestAckedAt } : {}),
      ...(hb.newestPresentAt !== undefined ? { newestPresentAt: hb.newestPresentAt } : {}),
    };
    if (hb.rpoMs !== undefined && hb.notMeasured === undefined) {
      m.rpoMs = hb.rpoMs;
      m.rpoIsLowerBound = hb.rpoIsLowerBound === true;
    } else m.rpoNotMeasured = hb.notMeasured ?? 'not measured: the heartbeat could not be read';
  }
  const verdicts = judge(input.objectives, {
    rtoMs: m.rtoMs,
    rpoMs: m.rpoMs,
    recovered: m.recoveredAt !== undefined,
    rpoIsLowerBound: m.rpoIsLowerBound,
    rpoReason: m.rpoNotMeasured,
  });
  return { measurements: m, verdicts, met: allMet(verdicts) };
}
