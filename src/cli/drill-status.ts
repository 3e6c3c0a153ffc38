import { nextOccurrence, parseSchedule } from '../runbook/schedule.js';
import type { HistoryEntry } from '../store/history-store.js';

/** Where a runbook stands against its schedule. */
export type DrillState = 'ok' | 'overdue' | 'unscheduled';

/** One line of `lifeboat status`. */
export interface DrillStatus {
  runbook: string;
  file: string;
  /** The runbook's `schedule`, as written; null when it has none. */
  schedule: string | null;
  /** The last completed drill-mode run, or null if the runbook was never drilled to the end. */
  lastDrill: { runId: string; startedAt: string; finishedAt: string | null; verdict: string | null } | null;
  /** The first scheduled instant after the last drill started (null: never drilled, or unscheduled). */
  nextDue: string | null;
  overdue: boolean;
  /** How long past due (ms, after the grace period is counted in), when overdue after a drill. */
  overdueByMs: number | null;
  state: DrillState;
}

/**
 * Judges one runbook at instant `at`: due again at the first slot of its schedule after its
 * last completed drill began; overdue once `at` is more than `graceMs` past that slot, or at once
 * when it has a schedule and was never drilled to the end. A runbook without `schedule` is
 * unscheduled, never overdue.
 */
export function drillStatus(
  runbook: { name: string; schedule?: string },
  file: string,
  lastDrill: HistoryEntry | undefined,
  at: Date,
  graceMs = 0,
): DrillStatus {
  const last = lastDrill
    ? { runId: lastDrill.runId, startedAt: lastDrill.startedAt, finishedAt: lastDrill.finishedAt, verdict: lastDrill.verdict }
    : null;
  const base = { runbook: runbook.name, file, schedule: runbook.schedule ?? null, lastDrill: last };
  if (runbook.schedule === undefined) return { ...base, nextDue: null, overdue: false, overdueByMs: null, state: 'unscheduled' };
  if (!last) return { ...base, nextDue: null, overdue: true, overdueByMs: null, state: 'overdue' };
  const due = nextOccurrence(parseSchedule(runbook.schedule), new Date(last.startedAt));
  const late = due === undefined ? 0 : at.getTime() - due.getTime();
  const overdue = due !== undefined && late > graceMs;
  return { ...base, nextDue: due?.toISOString() ?? null, overdue, overdueByMs: overdue ? late : null, state: overdue ? 'overdue' : 'ok' };
}
