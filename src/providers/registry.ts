import { InternalError } from '../errors.js';
import type { LabDriverEntry } from '../lab/types.js';
import type { ActionDef, ProbeDef, Provider, ResourceTypeDef } from './types.js';

/** Reserved step fields that an action's parameters may not reuse. */
export const STEP_FIELDS = ['id', 'action', 'target', 'timeout', 'retry', 'onFailure', 'compensate', 'description', 'parallel'] as const;
/** Reserved probe fields that a probe's parameters may not reuse. */
export const PROBE_FIELDS = ['type', 'interval', 'timeout', 'target', 'endpoints', 'description'] as const;

/** Every resource type, action, probe and lab driver Lifeboat knows, indexed by name. */
export interface Registry {
  readonly providers: readonly Provider[];
  readonly labDrivers: readonly LabDriverEntry[];
  action(name: string): ActionDef | undefined;
  probe(type: string): ProbeDef | undefined;
  resourceType(type: string): ResourceTypeDef | undefined;
  labDriver(name: string): LabDriverEntry | undefined;
  /** The provider that declares a resource type, action or probe. */
  providerOf(kind: 'action' | 'probe' | 'resourceType', name: string): Provider | undefined;
  actions(): ActionDef[];
  probes(): ProbeDef[];
  resourceTypes(): ResourceTypeDef[];
}

/** Builds a registry from explicit lists of providers and lab drivers; names must be unique. */
export function createRegistry(providers: readonly Provider[], labDrivers: readonly LabDriverEntry[] = []): Registry {
  const actions = new Map<string, ActionDef>();
  const probes = new Map<string, ProbeDef>();
  const types = new Map<string, ResourceTypeDef>();
  const owners = { action: new Map<string, Provider>(), probe: new Map<string, Provider>(), resourceType: new Map<string, Provider>() };
  for (const p of providers) {
    for (const a of p.actions) {
      if (actions.has(a.name)) throw new InternalError(`action ${a.name} registered twice`);
      const clash = Object.keys(a.params.shape).find((k) => (STEP_FIELDS as readonly string[]).includes(k));
      if (clash) throw new InternalError(`action ${a.name}: parameter "${clash}" clashes with a step field`);
      actions.set(a.name, a);
      owners.action.set(a.name, p);
    }
    for (const pr of p.probes) {
      if (probes.has(pr.type)) throw new InternalError(`probe ${pr.type} registered twice`);
      const clash = Object.keys(pr.params.shape).find((k) => (PROBE_FIELDS as readonly string[]).includes(k));
      if (clash) throw new InternalError(`probe ${pr.type}: parameter "${clash}" clashes with a probe field`);
      probes.set(pr.type, pr);
      owners.probe.set(pr.type, p);
    }
    for (const r of p.resourceTypes) {
      if (types.has(r.type)) throw new InternalError(`resource type ${r.type} registered twice`);
      types.set(r.type, r);
      owners.resourceType.set(r.type, p);
    }
  }
  const drivers = new Map<string, LabDriverEntry>();
  for (const d of labDrivers) {
    if (drivers.has(d.name)) throw new InternalError(`lab driver ${d.name} registered twice`);
    drivers.set(d.name, d);
  }
  return {
    providers,
    labDrivers,
    action: (n) => actions.get(n),
    probe: (t) => probes.get(t),
    resourceType: (t) => types.get(t),
    labDriver: (n) => drivers.get(n),
    providerOf: (kind, name) => owners[kind].get(name),
    actions: () => [...actions.values()],
    probes: () => [...probes.values()],
    resourceTypes: () => [...types.values()],
  };
}
