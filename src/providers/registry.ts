import type { ActionDef, ProbeDef, Provider, ResourceTypeDef } from './types.js';

/** Reserved step fields that an action's parameters may not reuse. */
export const STEP_FIELDS = ['id', 'action', 'target', 'timeout', 'retry', 'onFailure', 'compensate', 'description', 'parallel'] as const;
/** Reserved probe fields that a probe's parameters may not reuse. */
export const PROBE_FIELDS = ['type', 'interval', 'timeout', 'target', 'endpoints', 'description'] as const;

/** Every resource type, action and probe Lifeboat knows, indexed by name. */
export interface Registry {
  readonly providers: readonly Provider[];
  action(name: string): ActionDef | undefined;
  probe(type: string): ProbeDef | undefined;
  resourceType(type: string): ResourceTypeDef | undefined;
  actions(): ActionDef[];
  probes(): ProbeDef[];
  resourceTypes(): ResourceTypeDef[];
}

/** Builds a registry from an explicit list of providers; names must be unique. */
export function createRegistry(providers: readonly Provider[]): Registry {
  const actions = new Map<string, ActionDef>();
  const probes = new Map<string, ProbeDef>();
  const types = new Map<string, ResourceTypeDef>();
  for (const p of providers) {
    for (const a of p.actions) {
      if (actions.has(a.name)) throw new Error(`action ${a.name} registered twice`);
      const clash = Object.keys(a.params.shape).find((k) => (STEP_FIELDS as readonly string[]).includes(k));
      if (clash) throw new Error(`action ${a.name}: parameter "${clash}" clashes with a step field`);
      actions.set(a.name, a);
    }
    for (const pr of p.probes) {
      if (probes.has(pr.type)) throw new Error(`probe ${pr.type} registered twice`);
      const clash = Object.keys(pr.params.shape).find((k) => (PROBE_FIELDS as readonly string[]).includes(k));
      if (clash) throw new Error(`probe ${pr.type}: parameter "${clash}" clashes with a probe field`);
      probes.set(pr.type, pr);
    }
    for (const r of p.resourceTypes) {
      if (types.has(r.type)) throw new Error(`resource type ${r.type} registered twice`);
      types.set(r.type, r);
    }
  }
  return {
    providers,
    action: (n) => actions.get(n),
    probe: (t) => probes.get(t),
    resourceType: (t) => types.get(t),
    actions: () => [...actions.values()],
    probes: () => [...probes.values()],
    resourceTypes: () => [...types.values()],
  };
}
