import { InternalError } from '../errors.js';
import { registerSecrets } from '../log.js';
import type { PreflightProblem, ProviderContext, ResourceRef } from '../providers/types.js';
import { createClock } from '../timeline/clock.js';
import { InvalidInputError } from '../errors.js';
import { referencedEnvValues, resolveRefs } from './interpolate.js';
import { planRun, type RunPlan } from './plan.js';
import { preflightScope, ProviderSessions, providersUsedBy } from './provider-sessions.js';
import { checkEnvironment, type RunOptions } from './run-drill.js';
import { newRunId } from './run-id.js';
import { usesStepOutputs } from './live-resource.js';

/** What a dry run found: the plan, and the preflight's problems (none: the run could start). */
export interface DryRunResult {
  runId: string;
  plan: RunPlan;
  problems: PreflightProblem[];
}

/**
 * `--dry-run`: the providers open and run their read-only preflight (credentials, resources,
 * each action against its target, allow tags), and the plan is returned — no lab, no probe, no
 * step, no journal, no lock, no mutating call. Resources of a lab do not exist before a run
 * starts the lab, nor do resources made from a step's output, so preflight sees only the others.
 */
export async function dryRunDrill(opts: Pick<RunOptions, 'loaded' | 'registry' | 'log' | 'mode' | 'env' | 'signal' | 'settings'>): Promise<DryRunResult> {
  const { loaded, registry } = opts;
  const runbook = loaded.runbook;
  const env = opts.env ?? process.env;
  const mode = opts.mode ?? 'drill';
  checkEnvironment(runbook, env);
  registerSecrets(referencedEnvValues(runbook, env));
  const plan = planRun(runbook, mode, registry);
  const runId = `dry-run-${newRunId()}`;
  const log = opts.log.child({ runId, runbook: runbook.name, dryRun: true });
  const resource = (name: string): ResourceRef => {
    const spec = Object.hasOwn(runbook.resources, name) ? runbook.resources[name] : undefined;
    if (!spec) throw new InvalidInputError(`no resource named ${name}`);
    const { type, ...rest } = resolveRefs(spec, { env }, `resource ${name}`);
    return { name, type, spec: rest };
  };
  const sessions = new ProviderSessions(providersUsedBy(runbook, registry), log);
  const context: ProviderContext = {
    runId,
    clock: createClock(),
    log,
    resource,
    resourceType: (type) => registry.resourceType(type),
    record: () => {
      throw new InternalError('a dry run records nothing');
    },
    ...(opts.settings ? { settings: opts.settings } : {}),
    sessionOf: (provider) => sessions.state(provider),
  };
  await sessions.open(context);
  try {
    // A resource made from a step's output (a restored instance) does not exist yet: not checked.
    const resources = Object.keys(runbook.resources)
      .filter((n) => !usesStepOutputs(runbook.resources[n]!))
      .map(resource)
      .filter((r) => registry.resourceType(r.type)?.labServiceField === undefined);
    const problems = await sessions.preflight(resources, context, registry, opts.signal ?? new AbortController().signal, preflightScope(runbook, plan));
    return { runId, plan, problems };
  } finally {
    await sessions.close();
  }
}
