// Lifeboat's public API: named re-exports only.
export {
  LifeboatError,
  InvalidRunbookError,
  InvalidInputError,
  ProviderError,
  InfrastructureError,
  StepTimeoutError,
  StepFailedError,
  AbortedError,
  formatProblem,
} from './errors.js';
export type { ErrorCode, RunbookProblem } from './errors.js';

export { loadRunbook, parseRunbook } from './runbook/load.js';
export { buildRunbookSchema } from './runbook/schema.js';
export { runbookJsonSchema } from './runbook/json-schema.js';
export type { Runbook, LoadedRunbook, ActionStep, ParallelGroup, PhaseItem, ProbeSpec, ResourceSpec } from './runbook/types.js';
export type { RetryPolicy } from './runbook/fields.js';

export { createRegistry } from './providers/registry.js';
export type { Registry } from './providers/registry.js';
export { defaultRegistry } from './providers/default-registry.js';
export type {
  ActionContext,
  ActionDef,
  Phase,
  ProbeContext,
  ProbeDef,
  ProbeInstance,
  ProbeResult,
  Provider,
  ProviderContext,
  ResourceRef,
  ResourceTypeDef,
  StepOutput,
} from './providers/types.js';

export { planRun } from './engine/plan.js';
export type { RunPlan, PlannedPhase, PlannedStep, RunMode } from './engine/plan.js';
export { runDrill, newRunId } from './engine/drill-run.js';
export type { RunOptions, ResumeState } from './engine/drill-run.js';
export { StepExecutor } from './engine/executor.js';
export { createClock } from './engine/clock.js';
export type { Clock } from './engine/clock.js';
export { Journal, readJournal } from './engine/journal.js';
export type { JournalEntry } from './engine/journal.js';
export { measure } from './engine/measure.js';
export type { Measurements } from './engine/measure.js';
export { exitCodeOf } from './engine/run-result.js';
export type { RunResult, RunStatus, StepSummary, Verdict } from './engine/run-result.js';
export type { TimelineEvent, ProbeSample, WriteAck, MarkName } from './engine/timeline.js';

export { findRecovery, measureDataLoss, markerKey, judge, allMet } from './verify/index.js';
export type { RecoveryInput, RecoveryResult, DataLossResult, LostWrite, ObjectiveVerdict, Objectives, Measured } from './verify/index.js';

export { startProcessLab, adoptProcessLab } from './lab/index.js';
export type { Lab, LabService, LabState, LabServiceSpec, LabServiceState } from './lab/types.js';

export { ProbeScheduler } from './probes/probe-scheduler.js';
export { HistoryStore } from './store/history-store.js';
export type { HistoryEntry } from './store/history-store.js';
export { renderJsonReport } from './report/json-report.js';
export { renderMarkdownReport } from './report/markdown-report.js';
export { createLogger, redactText, redactValue } from './log.js';
export { parseDuration, formatDuration } from './util/duration.js';
