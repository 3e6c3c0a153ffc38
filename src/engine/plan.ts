import type { Registry } from '../providers/registry.js';
import { actionMutates, type Phase } from '../providers/types.js';
import type { RetryPolicy } from '../runbook/fields.js';
import type { ActionStep, PhaseItem, Runbook } from '../runbook/types.js';
import { isParallel } from '../runbook/types.js';
import { ms } from '../util/duration.js';
import type { RunMode } from '../verify/run-result.js';

export type { RunMode };

/** Default per-attempt timeout of a step that names none. */
export const DEFAULT_STEP_TIMEOUT_MS = 5 * 60_000;


/**
 * One step as it will run: the executor runs exactly this (timeout, attempts, whether it mutates
 * are decided here, once, for `plan` and the run alike).
 */
export interface PlannedStep {
  id: string;
  action: string;
  target?: string;
  /** Per-attempt timeout. */
  timeoutMs: number;
  maxAttempts: number;
  /** The retry policy behind `maxAttempts` (absent: one attempt). */
  retry?: RetryPolicy;
  mutating: boolean;
  onFailure: 'abort' | 'continue';
  /** Parallel group id, when the step runs inside one. */
  group?: string;
  compensate?: PlannedStep;
  params: Record<string, unknown>;
}

export interface PlannedPhase {
  phase: Phase;
  steps: PlannedStep[];
}

/** Everything a run would do, in order; computed without touching anything. */
export interface RunPlan {
  runbook: string;
  mode: RunMode;
  lab?: { driver: string; services: string[] };
  probes: string[];
  /** Probes whose failure during the fault or failover phase stops the run (`stopWhen`). */
  stopWhen?: string[];
  recovery?: { all: string[]; stableForMs: number; timeoutMs: number };
  objectives: { rtoMs?: number; rpoMs?: number };
  phases: PlannedPhase[];
}

const COMMON = new Set(['id', 'action', 'target', 'timeout', 'retry', 'onFailure', 'compensate', 'description']);

/** The action parameters of a step (everything but the common fields). */
export function stepParams(step: ActionStep): Record<string, unknown> {
  return Object.fromEntries(Object.entries(step).filter(([k]) => !COMMON.has(k)));
}

function planStep(step: ActionStep, registry: Registry, group?: string): PlannedStep {
  const params = stepParams(step);
  return {
    id: step.id,
    action: step.action,
    ...(step.target !== undefined ? { target: step.target } : {}),
    timeoutMs: step.timeout ? ms(step.timeout) : DEFAULT_STEP_TIMEOUT_MS,
    maxAttempts: step.retry?.maximumAttempts ?? 1,
    ...(step.retry ? { retry: step.retry } : {}),
    mutating: actionMutates(registry.action(step.action), params),
    onFailure: step.onFailure,
    ...(group ? { group } : {}),
    ...(step.compensate ? { compensate: planStep(step.compensate, registry) } : {}),
    params,
  };
}

/** Plans the items of one phase: steps in order, each step of a parallel group tagged with the group's id. */
export function planPhase(phase: Phase, items: readonly PhaseItem[], registry: Registry): PlannedPhase {
  return {
    phase,
    steps: items.flatMap((item, i) =>
      isParallel(item) ? item.parallel.map((s) => planStep(s, registry, item.id ?? `${phase}-parallel-${i}`)) : [planStep(item, registry)],
    ),
  };
}

/** The planned steps of a phase as the executor starts them: single steps, and parallel groups together. */
export function batches(phase: PlannedPhase): PlannedStep[][] {
  const out: PlannedStep[][] = [];
  for (const step of phase.steps) {
    const last = out.at(-1);
    if (step.group !== undefined && last?.[0]?.group === step.group) last.push(step);
    else out.push([step]);
  }
  return out;
}

/** Which phases run in a mode: a failover never injects a fault nor fails back. */
export function phasesFor(mode: RunMode): Phase[] {
  return mode === 'drill' ? ['fault', 'failover', 'failback'] : ['failover'];
}

/** Computes the plan of a run. Pure: calls no provider. */
export function planRun(runbook: Runbook, mode: RunMode, registry: Registry): RunPlan {
  return {
    runbook: runbook.name,
    mode,
    ...(runbook.lab && mode === 'drill' ? { lab: { driver: runbook.lab.driver, services: Object.keys(runbook.lab.services) } } : {}),
    probes: Object.keys(runbook.probes),
    ...(runbook.stopWhen?.length ? { stopWhen: runbook.stopWhen } : {}),
    ...(runbook.recovery
      ? { recovery: { all: runbook.recovery.all, stableForMs: ms(runbook.recovery.stableFor), timeoutMs: ms(runbook.recovery.timeout) } }
      : {}),
    objectives: {
      ...(runbook.objectives.rto ? { rtoMs: ms(runbook.objectives.rto) } : {}),
      ...(runbook.objectives.rpo ? { rpoMs: ms(runbook.objectives.rpo) } : {}),
    },
    phases: phasesFor(mode).map((phase) => planPhase(phase, runbook[phase], registry)),
  };
}
