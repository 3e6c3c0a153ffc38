import type { TimelineEvent } from '../timeline/timeline-event.js';
import type { Measurements } from './measure.js';
import type { ObjectiveVerdict } from './verdict.js';
import type { RunMode } from './run-mode.js';

export type { RunMode } from './run-mode.js';

/** How the run ended. `completed` means every phase ran; the verdict says whether objectives were met. */
/** `stopped`: a stop condition (`stopWhen`) tripped. */
export type RunStatus = 'completed' | 'failed' | 'aborted' | 'stopped';
export type Verdict = 'met' | 'missed' | 'incomplete';

/** One step as it ran. */
export interface StepSummary {
  phase: string;
  id: string;
  status: string;
  attempts: number;
  startedAt?: number;
  endedAt?: number;
  durationMs?: number;
  output?: unknown;
  error?: string;
  /** The step's `description` in the runbook (free text: reports escape it). */
  description?: string;
}

/** Everything a run produced: stored in history and rendered by the reports. */
export interface RunResult {
  runId: string;
  runbook: string;
  file: string;
  /** The runbook's `description`, `owner` and `labels` (free text: reports escape them). */
  description?: string;
  owner?: string;
  labels?: Record<string, string>;
  mode: RunMode;
  status: RunStatus;
  verdict: Verdict;
  startedAt: number;
  finishedAt: number;
  attempts: number;
  objectives: { rtoMs?: number; rpoMs?: number };
  measurements: Measurements;
  verdicts: ObjectiveVerdict[];
  steps: StepSummary[];
  error?: string;
  /** Errors met while cleaning up (failback, teardown), which do not change the verdict. */
  cleanupErrors: string[];
  timeline: TimelineEvent[];
}

/** Folds step events into one summary per step (the last event wins). */
export function summariseSteps(timeline: readonly TimelineEvent[]): StepSummary[] {
  const byId = new Map<string, StepSummary>();
  for (const e of timeline) {
    if (e.kind !== 'step') continue;
    let s = byId.get(e.stepId);
    if (!s) byId.set(e.stepId, (s = { phase: e.phase, id: e.stepId, status: e.status, attempts: 0 }));
    if (e.status === 'started') s.startedAt ??= e.t;
    if (e.status === 'retrying') continue;
    // A resumed run re-announces completed steps as skipped: keep what they did.
    if (e.status === 'skipped' && s.endedAt !== undefined) continue;
    if (e.status === 'compensated') {
      s.status = 'compensated';
      continue;
    }
    if (e.status !== 'started') {
      s.status = e.status;
      s.endedAt = e.t;
      if (s.startedAt !== undefined) s.durationMs = e.t - s.startedAt;
      if (e.output !== undefined) s.output = e.output;
      if (e.error !== undefined) s.error = e.error;
    }
    if (e.attempt !== undefined) s.attempts = Math.max(s.attempts, e.attempt);
  }
  return [...byId.values()];
}
