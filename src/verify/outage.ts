import type { ProbeSample, TimelineEvent } from '../timeline/timeline-event.js';

/**
 * The probe samples that count for recovery from `since` on. The process may have died and been
 * resumed: nothing was observed in between, so each resume is a failed check of every recovery
 * probe spanning the gap — from the last instant the dead attempt recorded to the resume — and no
 * stable window can span it; a gap after the fault began counts as outage, never as service.
 */
export function recoverySamples(timeline: readonly TimelineEvent[], probes: readonly string[], since: number): ProbeSample[] {
  const out: ProbeSample[] = [];
  let lastSeen = -Infinity;
  for (const e of timeline) {
    if (e.kind === 'probe') {
      if (e.start >= since) out.push(e);
    } else if (e.kind === 'run' && e.status === 'resumed') {
      const start = Math.max(lastSeen, since);
      if (e.t >= since) for (const probe of probes) out.push({ t: e.t, kind: 'probe', probe, start, ok: false, error: 'not observed: the runner was down until the resume', unobserved: true });
    }
    lastSeen = Math.max(lastSeen, e.t);
  }
  return out;
}

/** When the fault phase first began (drill), from the timeline; undefined when it never did. */
export function faultStartOf(timeline: readonly TimelineEvent[]): number | undefined {
  return timeline.find((e) => e.kind === 'phase' && e.phase === 'fault' && e.status === 'started')?.t;
}

/**
 * The observed outage start t0 (SPEC §4): the start of the earliest recovery-probe check that
 * failed and started at or after `from` (the fault phase's start). Undefined when none failed: no
 * outage was observed.
 */
export function observedOutageStart(samples: readonly ProbeSample[], probes: readonly string[], from: number): number | undefined {
  let t0: number | undefined;
  for (const s of samples) if (!s.ok && s.start >= from && probes.includes(s.probe) && (t0 === undefined || s.start < t0)) t0 = s.start;
  return t0;
}

/**
 * The honest resolution of an instant: the largest gap actually observed between consecutive
 * check starts of any recovery probe around it (the checks just before and just after). A busy
 * scheduler does not keep its configured interval; this says how far off an instant can be.
 * Undefined when no probe has a check on both sides.
 */
export function observedResolution(samples: readonly ProbeSample[], probes: readonly string[], instants: readonly number[]): number | undefined {
  let worst: number | undefined;
  for (const probe of probes) {
    // Real checks only: a resume's synthetic failure is a gap in observation, counted as outage.
    const starts = [...new Set(samples.filter((s) => s.probe === probe && !s.unobserved).map((s) => s.start))].sort((a, b) => a - b);
    for (const at of instants) {
      // The gap that contains `at`: the last check start at or before it, the first one after it.
      let i = starts.findIndex((s) => s > at);
      if (i === -1) i = starts.length;
      const before = starts[i - 1];
      const after = starts[i];
      // At an instant that is itself a check start (t0), the gap that matters is the one before it.
      const gap = before !== undefined && before === at ? (starts[i - 2] !== undefined ? at - starts[i - 2]! : undefined) : before !== undefined && after !== undefined ? after - before : undefined;
      if (gap !== undefined && (worst === undefined || gap > worst)) worst = gap;
    }
  }
  return worst;
}
