import { markerKey, type ProbeSample } from '../timeline/timeline-event.js';
import type { RunResult } from '../verify/run-result.js';

/** A span of the timeline chart (epoch ms). */
export interface Span {
  start: number;
  end: number;
}

/** State of a probe over a band: up, down, or nobody looked (the runner was down before a resume). */
export type ProbeState = 'up' | 'down' | 'unobserved';

/** What the timeline chart shows, computed from a run result alone. */
export interface TimelineChart {
  /** The run: its first and last instant. */
  from: number;
  to: number;
  phases: Array<Span & { phase: string; status: string }>;
  steps: Array<Span & { phase: string; id: string; status: string; attempts: number }>;
  /** Per probe, its checks folded into bands of one state (a check's state lasts until the next check starts). */
  probes: Array<{ probe: string; bands: Array<Span & { state: ProbeState }> }>;
  /** Acknowledged writes, with those missing after recovery marked lost. */
  writes: Array<{ t: number; probe: string; writer: string; seq: number; lost: boolean }>;
  /** Named instants (steady state, failover done, split brain, …). */
  marks: Array<{ t: number; name: string; detail?: string }>;
  /** t0 and t1 of the verifier, and the fault steps' own start and end. */
  outageStartAt?: number;
  recoveredAt?: number;
  faultStartedAt?: number;
  faultEndedAt?: number;
}

/** Folds a run's timeline into the rows of its chart. Pure: the same result gives the same chart. */
export function timelineChart(r: RunResult): TimelineChart {
  const m = r.measurements;
  // A loop, not Math.min(...times): a long run's timeline has more events than a call has arguments.
  let from = r.startedAt;
  let to = r.finishedAt;
  for (const e of r.timeline) {
    if (e.t < from) from = e.t;
    if (e.t > to) to = e.t;
  }
  to = Math.max(to, from + 1);

  const phases: TimelineChart['phases'] = [];
  const open = new Map<string, number>();
  for (const e of r.timeline) {
    if (e.kind !== 'phase') continue;
    if (e.status === 'started') open.set(e.phase, e.t);
    else if (open.has(e.phase)) {
      phases.push({ phase: e.phase, status: e.status, start: open.get(e.phase)!, end: e.t });
      open.delete(e.phase);
    }
  }
  // A phase the run never finished (interrupted, or the process died) lasts to the run's end.
  for (const [phase, start] of open) phases.push({ phase, status: 'unfinished', start, end: to });
  phases.sort((a, b) => a.start - b.start);

  const steps = r.steps
    .filter((s) => s.startedAt !== undefined)
    .map((s) => ({ phase: s.phase, id: s.id, status: s.endedAt === undefined ? 'unfinished' : s.status, attempts: s.attempts, start: s.startedAt!, end: s.endedAt ?? to }));

  const samplesByProbe = new Map<string, ProbeSample[]>();
  for (const e of r.timeline) {
    if (e.kind !== 'probe') continue;
    let list = samplesByProbe.get(e.probe);
    if (!list) samplesByProbe.set(e.probe, (list = []));
    list.push(e);
  }
  const probes = [...samplesByProbe].map(([probe, samples]) => ({ probe, bands: bandsOf(samples) }));

  // The last reading of each writes probe decides which of its acknowledged writes were lost.
  const missing = new Map<string, Set<string>>();
  for (const e of r.timeline) if (e.kind === 'markers') missing.set(e.probe, new Set(e.missing));
  const seen = new Set<string>();
  const writes: TimelineChart['writes'] = [];
  for (const e of r.timeline) {
    if (e.kind !== 'write-ack') continue;
    const key = `${e.probe}\u0000${markerKey(e.writer, e.seq)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    writes.push({ t: e.t, probe: e.probe, writer: e.writer, seq: e.seq, lost: missing.get(e.probe)?.has(markerKey(e.writer, e.seq)) ?? false });
  }

  const marks = r.timeline.flatMap((e) => (e.kind === 'mark' && e.name !== 'outage-start' && e.name !== 'recovered' ? [{ t: e.t, name: e.name, ...(e.detail ? { detail: e.detail } : {}) }] : []));

  return {
    from,
    to,
    phases,
    steps,
    probes,
    writes,
    marks,
    ...(m.outageStartAt !== undefined ? { outageStartAt: m.outageStartAt } : {}),
    ...(m.recoveredAt !== undefined ? { recoveredAt: m.recoveredAt } : {}),
    ...(m.faultStartedAt !== undefined ? { faultStartedAt: m.faultStartedAt } : {}),
    ...(m.faultEndedAt !== undefined ? { faultEndedAt: m.faultEndedAt } : {}),
  };
}

/** Consecutive checks of one probe as bands: each check's state holds from its start to the next check's start. */
export function bandsOf(samples: readonly ProbeSample[]): Array<Span & { state: ProbeState }> {
  const sorted = [...samples].sort((a, b) => a.start - b.start || a.t - b.t);
  const bands: Array<Span & { state: ProbeState }> = [];
  sorted.forEach((s, i) => {
    const state: ProbeState = s.unobserved ? 'unobserved' : s.ok ? 'up' : 'down';
    const end = Math.max(s.start, i + 1 < sorted.length ? sorted[i + 1]!.start : s.t);
    const last = bands.at(-1);
    if (last && last.state === state && last.end >= s.start) last.end = Math.max(last.end, end);
    else bands.push({ state, start: s.start, end });
  });
  return bands;
}
