import type { ProbeSample, TimelineEvent, WriteAck } from '../timeline/timeline-event.js';
import { findRecovery } from './recovery.js';
import { measureDataLoss, type LostWrite } from './data-loss.js';
import { judge, allMet, type ObjectiveVerdict } from './verdict.js';

/** What the verifier measured, every figure derived from the recorded timeline. */
export interface Measurements {
  /** t0: when the last fault step completed (drill). */
  outageStartAt?: number;
  /** t1: first instant from which every recovery probe held for stableFor. */
  recoveredAt?: number;
  rtoMs?: number;
  /** RTO resolution: the longest interval among the recovery probes. */
  rtoResolutionMs?: number;
  acknowledgedWrites?: number;
  lostWrites?: number;
  lostWriteSample?: LostWrite[];
  rpoMs?: number;
  rpoIsLowerBound?: boolean;
  /** Endpoint the surviving markers were read from. */
  markersReadFrom?: string;
  /** Endpoints that all accepted writes when the markers were read (split brain), if more than one. */
  splitBrain?: string[];
}

export interface MeasureInput {
  timeline: readonly TimelineEvent[];
  recoveryProbes: readonly string[];
  stableForMs: number;
  resolutionMs: number;
  objectives: { rtoMs?: number; rpoMs?: number };
  /** Keys of the write markers that survived, when they were read. */
  survivors?: { endpoint: string; keys: ReadonlySet<string>; splitBrain?: string[] };
}

/**
 * The probe samples that count for recovery since `since`. The process may have died and been
 * resumed: nothing was observed in between, so each resume is a break — as if every recovery
 * probe failed at that instant — and no stable window can span it.
 */
export function recoverySamples(timeline: readonly TimelineEvent[], probes: readonly string[], since: number): ProbeSample[] {
  const out: ProbeSample[] = [];
  for (const e of timeline) {
    if (e.kind === 'probe' && e.start >= since) out.push(e);
    else if (e.kind === 'run' && e.status === 'resumed' && e.t >= since)
      for (const probe of probes) out.push({ t: e.t, kind: 'probe', probe, start: e.t, ok: false, error: 'not observed: the run was resumed' });
  }
  return out;
}

/** Write acknowledgements that count: those after the last replacement of the lab (if any). */
export function countedAcks(timeline: readonly TimelineEvent[]): WriteAck[] {
  const replaced = timeline.filter((e) => e.kind === 'mark' && e.name === 'lab-replaced').at(-1)?.t ?? -Infinity;
  return timeline.filter((e): e is WriteAck => e.kind === 'write-ack' && e.t >= replaced);
}

/** Pure: timeline → measured RTO/RPO and a verdict per objective. */
export function measure(input: MeasureInput): { measurements: Measurements; verdicts: ObjectiveVerdict[]; met: boolean } {
  const marks = input.timeline.filter((e): e is Extract<TimelineEvent, { kind: 'mark' }> => e.kind === 'mark');
  const t0 = marks.filter((m) => m.name === 'outage-start').at(-1)?.t;
  const m: Measurements = {};
  if (t0 !== undefined) {
    m.outageStartAt = t0;
    const samples = recoverySamples(input.timeline, input.recoveryProbes, t0);
    const r = findRecovery({ samples, probes: input.recoveryProbes, t0, stableForMs: input.stableForMs });
    if (r.recoveredAt !== undefined) {
      m.recoveredAt = r.recoveredAt;
      m.rtoMs = r.rtoMs;
    }
    m.rtoResolutionMs = input.resolutionMs;
  }
  if (input.survivors) {
    const acks = countedAcks(input.timeline);
    const loss = measureDataLoss(acks, input.survivors.keys);
    m.acknowledgedWrites = loss.acknowledged;
    m.lostWrites = loss.lost;
    m.lostWriteSample = loss.lostWrites.slice(-20);
    m.rpoMs = loss.rpoMs;
    m.rpoIsLowerBound = loss.rpoIsLowerBound;
    m.markersReadFrom = input.survivors.endpoint;
    if (input.survivors.splitBrain) m.splitBrain = input.survivors.splitBrain;
  }
  const verdicts = judge(input.objectives, { rtoMs: m.rtoMs, rpoMs: m.rpoMs, recovered: m.recoveredAt !== undefined });
  return { measurements: m, verdicts, met: allMet(verdicts) };
}
