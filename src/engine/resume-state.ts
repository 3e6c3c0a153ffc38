import { InvalidInputError } from '../errors.js';
import type { LabState } from '../lab/types.js';
import type { Phase } from '../providers/types.js';
import type { TimelineEvent } from '../timeline/timeline-event.js';
import type { RunMode } from '../verify/run-result.js';
import type { JournalEntry } from './journal.js';
import type { PriorSteps } from './executor.js';

/** What a resumed run carries over from its journal. */
export interface ResumeState {
  runId: string;
  attempt: number;
  startedAt: number;
  timeline: TimelineEvent[];
  lab?: LabState;
}

/** A journal read back for `resume`: the runbook text it ran and the state to continue from. */
export interface JournaledRun {
  file: string;
  text: string;
  mode: RunMode;
  resume: ResumeState;
}

/**
 * Reads what `resume` needs from a run's journal entries. Throws InvalidInputError when the
 * journal has no header or the run already finished.
 */
export function resumeStateOf(runId: string, entries: readonly JournalEntry[]): JournaledRun {
  const header = entries.find((e) => e.type === 'header');
  if (!header || header.type !== 'header') throw new InvalidInputError(`journal of run ${runId} has no header; it cannot be resumed`);
  const finished = entries.find((e) => e.type === 'finished');
  if (finished) throw new InvalidInputError(`run ${runId} already finished (${finished.type === 'finished' ? finished.status : ''}); nothing to resume`);
  const timeline: TimelineEvent[] = [];
  let lab: LabState | undefined;
  let attempts = 0;
  for (const e of entries) {
    if (e.type === 'event') timeline.push(e.event);
    else if (e.type === 'lab') lab = e.state;
    else if (e.type === 'attempt') attempts = Math.max(attempts, e.attempt);
  }
  return { file: header.file, text: header.text, mode: header.mode, resume: { runId, attempt: attempts + 1, startedAt: header.startedAt, timeline, lab } };
}

/** Steps of earlier attempts: completed ones (not repeated) and the ones in flight at the crash. */
export function priorSteps(timeline: readonly TimelineEvent[]): PriorSteps {
  const completed = new Map<string, unknown>();
  const inFlight = new Set<string>();
  for (const e of timeline) {
    if (e.kind !== 'step') continue;
    if (e.status === 'succeeded' || e.status === 'already-done') completed.set(e.stepId, e.output);
    if (e.status === 'started') inFlight.add(e.stepId);
    if (e.status === 'failed' || e.status === 'succeeded' || e.status === 'already-done') inFlight.delete(e.stepId);
  }
  return { completed, inFlight };
}

/** The last recorded status of a phase, if it began. */
export function phaseStatus(timeline: readonly TimelineEvent[], phase: Phase): string | undefined {
  return timeline.filter((e): e is Extract<TimelineEvent, { kind: 'phase' }> => e.kind === 'phase' && e.phase === phase).at(-1)?.status;
}
