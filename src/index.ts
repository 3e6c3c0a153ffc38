// Lifeboat's public API: named re-exports only. What a library user needs to load, plan and run
// runbooks, read results, and add providers or lab drivers; not the engine's internals
// (executor, journal, probe scheduler), which may change at any time.
export {
  LifeboatError,
  InvalidRunbookError,
  InvalidInputError,
  ProviderError,
  InfrastructureError,
  InternalError,
  StepTimeoutError,
  StepFailedError,
  AbortedError,
  formatProblem,
} from './errors.js';
export type { ErrorCode, RunbookProblem } from './errors.js';

// Load
export { loadRunbook, parseRunbook } from './runbook/load.js';
export { buildRunbookSchema } from './runbook/schema.js';
export { runbookJsonSchema } from './runbook/json-schema.js';
export type { Runbook, LoadedRunbook, ActionStep, ParallelGroup, PhaseItem, ProbeSpec, ResourceSpec } from './runbook/types.js';
export type { RetryPolicy } from './runbook/fields.js';

// Registry, providers and lab drivers
export { createRegistry } from './providers/registry.js';
export type { Registry } from './providers/registry.js';
export { defaultRegistry } from './cli/default-registry.js';
export { actionMutates, actionPermissions, hasCapability } from './providers/types.js';
export type {
  ActionContext,
  ActionDef,
  Phase,
  PreflightContext,
  PreflightProblem,
  PreflightStep,
  ProbeContext,
  ProbeDef,
  ProbeInstance,
  ProbeResult,
  Provider,
  ProviderContext,
  ProviderSession,
  ResourceCapability,
  ResourceRef,
  ResourceTypeDef,
  SafetySettings,
  StepOutput,
  DoneCheck,
} from './providers/types.js';
export { awsProvider } from './providers/aws/aws-provider.js';
export { AwsSession } from './providers/aws/aws-session.js';
export type { AwsRunSettings } from './providers/aws/aws-session.js';
export { builtInLabDrivers } from './lab/drivers.js';
export { startOrder, topologyProblems } from './lab/topology.js';
export type {
  Lab,
  LabCapability,
  LabDriver,
  LabDriverEntry,
  LabDriverName,
  LabOptions,
  LabService,
  LabServiceSpec,
  LabServiceState,
  LabState,
  RestoreSource,
} from './lab/types.js';
export type { PgConfig } from './util/pg-client.js';

// Plan and run
export { planRun } from './engine/plan.js';
export type { RunPlan, PlannedPhase, PlannedStep } from './engine/plan.js';
export { runDrill, newRunId } from './engine/run-drill.js';
export type { RunOptions, ResumeState } from './engine/run-drill.js';
export { dryRunDrill } from './engine/dry-run.js';
export type { DryRunResult } from './engine/dry-run.js';
export { iamPolicyOf } from './engine/iam-policy.js';
export type { IamPolicy } from './engine/iam-policy.js';
export { createClock } from './timeline/clock.js';
export type { Clock } from './timeline/clock.js';

// Results and measurements
export { measure } from './verify/measure.js';
export type { Measurements } from './verify/measure.js';
export type { RunMode, RunResult, RunStatus, StepSummary, Verdict } from './verify/run-result.js';
export type { TimelineEvent, ProbeSample, WriteAck, MarkName } from './timeline/timeline-event.js';
export { markerKey } from './timeline/timeline-event.js';
export { findRecovery, measureDataLoss, judge, allMet } from './verify/index.js';
export { measureRestoreLoss } from './verify/restore-loss.js';
export type { RestoreLossResult } from './verify/restore-loss.js';
export type { RecoveryInput, RecoveryResult, DataLossResult, LostWrite, ObjectiveVerdict, Objectives, Measured } from './verify/index.js';
export { exitCodeOf, EXIT } from './cli/exit-codes.js';

// History and reports
export { openStore } from './store/open-store.js';
export type { HistoryStore, HistoryEntry, HistoryStatus, RunStart, ListOptions, OpenStoreOptions, RunbookLock } from './store/history-store.js';
export { parseSchedule, nextOccurrence, NAMED_SCHEDULES, SCHEDULE_TIMEZONE } from './runbook/schedule.js';
export type { ParsedSchedule, NamedSchedule } from './runbook/schedule.js';
export { reportRenderers, rendererFor } from './report/renderers.js';
export type { ReportFormat, ReportRenderer } from './report/renderers.js';
export { renderJsonReport } from './report/json-report.js';
export { renderMarkdownReport } from './report/markdown-report.js';
export { REPORT_FORMATS } from './report/renderers.js';
export type { ReportContext } from './report/report-context.js';
export { renderHtmlReport } from './report/html-report.js';
export { renderJunitReport } from './report/junit-report.js';
export { renderPrometheusReport } from './report/prometheus-report.js';
export { runNotification, type RunNotification } from './report/notification.js';
export type { BackupCheckRecord, BackupCheckListOptions } from './store/history-store.js';

// Backup policies (3-2-1-1-0)
export { loadPolicy, parsePolicy } from './backups/load-policy.js';
export { BackupPolicySchema, MEDIA } from './backups/policy-schema.js';
export type { BackupPolicy, BackupRules, BackupSource, LoadedPolicy, Medium } from './backups/policy-schema.js';
export { checkPolicy } from './backups/check-policy.js';
export type { PolicyCheckResult, CheckOptions } from './backups/check-policy.js';
export { evaluateRules } from './backups/evaluate-rules.js';
export type { RuleName, RuleResult, RestoreEvidence, EffectiveMaxAge } from './backups/evaluate-rules.js';
export { copiesOf, describeSource } from './backups/sources/sources.js';
export type { Copy, CopyStream, SourceContext } from './backups/copy.js';
export { Tally, CLOCK_SKEW_MS } from './backups/tally.js';
export { backupMetrics } from './backups/prometheus-text.js';

// Helpers
export { createLogger, redactText, redactValue } from './log.js';
export { registerSecrets } from './util/secrets.js';
export { parseDuration, formatDuration } from './util/duration.js';
export type { Approval, Approvals, HeartbeatOptions, HeartbeatTarget } from './providers/types.js';
export type { HeartbeatRead } from './timeline/timeline-event.js';
export { heartbeatLoss } from './verify/heartbeat-loss.js';
export type { HeartbeatAck, HeartbeatLoss } from './verify/heartbeat-loss.js';
export { runHeartbeat, readHeartbeat, heartbeatLogPath } from './engine/heartbeat.js';
export { writeApproval, findApproval } from './engine/approvals.js';
