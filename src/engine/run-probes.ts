import type { Logger } from 'pino';
import { ProbeScheduler } from '../probes/probe-scheduler.js';
import type { Registry } from '../providers/registry.js';
import type { ProbeInstance, ProviderContext, ResourceRef } from '../providers/types.js';
import type { Runbook } from '../runbook/types.js';
import type { Clock } from '../timeline/clock.js';
import type { ProbeSample } from '../timeline/timeline-event.js';
import { ms } from '../util/duration.js';
import { resolveRefs } from './interpolate.js';

/** The probes of a run: their instances (by name) and the scheduler that runs them. */
export interface RunProbes {
  instances: Map<string, ProbeInstance>;
  scheduler: ProbeScheduler;
  /** Names of the probes that measure writes (lost writes, RPO). */
  writeProbes: string[];
}

/** Creates every probe of the runbook (endpoints resolved, provider session attached) and their scheduler; starts nothing. */
export function createRunProbes(options: {
  runbook: Runbook;
  registry: Registry;
  context: ProviderContext;
  env: NodeJS.ProcessEnv;
  attempt: number;
  clock: Clock;
  log: Logger;
  resource: (name: string) => ResourceRef;
  session: (provider: string) => unknown;
  onSample: (s: ProbeSample) => void;
}): RunProbes {
  const { runbook, registry } = options;
  const instances = new Map<string, ProbeInstance>();
  const writeProbes: string[] = [];
  try {
    for (const [name, spec] of Object.entries(runbook.probes)) createOne(name, spec);
  } catch (err) {
    // A probe that cannot be created (an unresolvable endpoint) must not leave the others' connections open.
    for (const i of instances.values()) void i.close().catch(() => {});
    throw err;
  }
  function createOne(name: string, spec: Runbook['probes'][string]) {
    const def = registry.probe(spec.type)!;
    if (def.measuresWrites) writeProbes.push(name);
    const resolved = resolveRefs(spec, { env: options.env }, `probe ${name}`);
    const names = def.targets === 'endpoints' ? (resolved.endpoints ?? []) : resolved.target ? [resolved.target] : [];
    const { type: _t, interval: _i, timeout: _o, target: _g, endpoints: _e, description: _d, ...params } = resolved;
    const provider = registry.providerOf('probe', spec.type)?.name;
    const session = provider !== undefined ? options.session(provider) : undefined;
    instances.set(
      name,
      def.create({ ...options.context, probeName: name, endpoints: names.map(options.resource), attempt: options.attempt, ...(session !== undefined ? { session } : {}) }, params),
    );
  }
  const scheduler = new ProbeScheduler(
    [...instances].map(([name, instance]) => ({ name, instance, intervalMs: ms(runbook.probes[name]!.interval), timeoutMs: ms(runbook.probes[name]!.timeout) })),
    options.clock,
    options.onSample,
    options.log,
  );
  return { instances, scheduler, writeProbes };
}
