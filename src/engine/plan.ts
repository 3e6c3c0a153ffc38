import type { Registry } from '../providers/registry.js';
import type { Phase } from '../providers/types.js';
import type { ActionStep, Runbook } from '../runbook/types.js';
import { isParallel } from '../runbook/types.js';
import { ms } from '../runbook/fields.js';

/** Default per-attempt timeout of a step that names none. */
export const DEFAULT_STEP_TIMEOUT_MS = 5 * 60_000;

export type RunMode = 'drill' | 'failover';

/** One step as it will run. */
export interface PlannedStep {
  id: string;
  action: string;
  target?: string;
  timeoutMs: number;
  maxAttempts: number;
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
  const def = registry.action(step.action);
  const params = stepParams(step);
  return {
    id: step.id,
    action: step.action,
    target: step.target,
    timeoutMs: step.timeout ? ms(step.timeout) : DEFAULT_STEP_TIMEOUT_MS,
    maxAttempts: step.retry?.maximumAttempts ?? 1,
    mutating: isMutating(step.action, params, def?.mutates ?? true),
    onFailure: step.onFailure,
    ...(group ? { group } : {}),
    ...(step.compensate ? { compensate: planStep(step.compensate, registry) } : {}),
    params,
  };
}

function isMutating(action: string, params: Record<string, unknown>, declared: boolean): boolean {
  if (action === 'http') return !['GET', 'HEAD', undefined].includes(params.method as string | undefined);
  return declared;
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
    ...(runbook.recovery
      ? { recovery: { all: runbook.recovery.all, stableForMs: ms(runbook.recovery.stableFor), timeoutMs: ms(runbook.recovery.timeout) } }
      : {}),
    objectives: {
      ...(runbook.objectives.rto ? { rtoMs: ms(runbook.objectives.rto) } : {}),
      ...(runbook.objectives.rpo ? { rpoMs: ms(runbook.objectives.rpo) } : {}),
    },
    phases: phasesFor(mode).map((phase) => ({
      phase,
      steps: runbook[phase].flatMap((item, i) =>
        isParallel(item) ? item.parallel.map((s) => planStep(s, registry, item.id ?? `${phase}-parallel-${i}`)) : [planStep(item, registry)],
      ),
    })),
  };
}
