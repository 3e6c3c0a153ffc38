import { InvalidInputError, messageOf } from '../errors.js';
import { redactText, registerSecrets } from '../log.js';
import type { ProviderContext, ResourceRef } from '../providers/types.js';
import { hasCapability } from '../providers/types.js';
import { createClock } from '../timeline/clock.js';
import { ms } from '../util/duration.js';
import { measure } from '../verify/measure.js';
import type { RunResult } from '../verify/run-result.js';
import { envRefs, referencedEnvValues, resolveRefs } from './interpolate.js';
import { usesStepOutputs } from './live-resource.js';
import { ProviderSessions, providersUsedBy } from './provider-sessions.js';
import { newRunId } from './run-id.js';
import type { Logger } from 'pino';
import type { Registry } from '../providers/registry.js';
import type { LoadedRunbook } from '../runbook/types.js';
import type { RunMode } from '../verify/run-mode.js';

/** What a dry run uses of the run options (engine/run-drill.ts RunOptions). */
export interface DryRunOptions {
  loaded: LoadedRunbook;
  registry: Registry;
  log: Logger;
  mode?: RunMode;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  progress?: (line: string) => void;
}

/**
 * `--dry-run`: opens the providers' sessions and runs their read-only preflight, nothing else —
 * no journal, no lock, no history, no probe, no step. The plan is printed by the caller. In a
 * drill a preflight problem fails the dry run; in a real failover (the primary is expected to be
 * down) it is reported and the dry run still succeeds. Resources of a lab (not started) and
 * resources that use step outputs (not created yet) are not checked.
 */
export async function runDryRun(opts: DryRunOptions): Promise<RunResult> {
  const { loaded, registry, log } = opts;
  const runbook = loaded.runbook;
  const env = opts.env ?? process.env;
  const mode = opts.mode ?? 'drill';
  const signal = opts.signal ?? new AbortController().signal;
  const missing = envRefs({ resources: runbook.resources, probes: runbook.probes, fault: runbook.fault, failover: runbook.failover, failback: runbook.failback }).filter((n) => env[n] === undefined);
  if (missing.length) throw new InvalidInputError(`environment variables used by the runbook are not set: ${missing.join(', ')}`);
  registerSecrets(referencedEnvValues(runbook, env));
  const clock = createClock();
  const runId = `dry-run-${newRunId()}`;
  const startedAt = clock.now();
  const resource = (name: string): ResourceRef => {
    const spec = runbook.resources[name];
    if (!spec) throw new InvalidInputError(`no resource named ${name}`);
    const { type, ...rest } = resolveRefs(spec, { env }, `resource ${name}`);
    return { name, type, spec: rest };
  };
  const context: ProviderContext = { runId, clock, log, resource, resourceType: (t) => registry.resourceType(t), record: () => {} };
  const checked = Object.keys(runbook.resources).filter((n) => {
    const spec = runbook.resources[n]!;
    return !usesStepOutputs(spec) && !hasCapability(registry.resourceType(spec.type), 'lab-service');
  });
  const sessions = new ProviderSessions(providersUsedBy(runbook, registry), log);
  let error: string | undefined;
  let problems: string[] = [];
  try {
    await sessions.open(context);
    problems = (await sessions.preflight(checked.map(resource), context, registry, signal)).map((p) => `${p.resource}: ${p.message}`);
    for (const p of problems) opts.progress?.(`preflight: ${redactText(p)}`);
    if (problems.length) error = `preflight: ${problems.join('; ')}`;
  } catch (err) {
    error = messageOf(err);
  } finally {
    await sessions.close();
  }
  const objectives = {
    ...(runbook.objectives.rto ? { rtoMs: ms(runbook.objectives.rto) } : {}),
    ...(runbook.objectives.rpo ? { rpoMs: ms(runbook.objectives.rpo) } : {}),
  };
  const m = measure({ timeline: [], recoveryProbes: runbook.recovery?.all ?? [], stableForMs: 0, mode, objectives });
  // A real failover goes on through preflight problems (the primary is down): so does its dry run.
  const failed = error !== undefined && (mode === 'drill' || problems.length === 0);
  return {
    runId,
    runbook: runbook.name,
    file: loaded.file,
    mode,
    status: failed ? 'failed' : 'completed',
    verdict: 'incomplete',
    startedAt,
    finishedAt: clock.now(),
    attempts: 0,
    objectives,
    measurements: m.measurements,
    verdicts: [],
    steps: [],
    ...(error ? { error: redactText(error) } : {}),
    cleanupErrors: [],
    timeline: [],
  };
}
