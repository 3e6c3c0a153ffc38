import type { ResourceRef } from '../providers/types.js';
import type { ResourceSpec } from '../runbook/types.js';
import { resolveRefs, type RefSources } from './interpolate.js';

/** Whether a resource uses the output of a step (`${steps.<id>.<field>}`). */
export function usesStepOutputs(spec: ResourceSpec): boolean {
  return JSON.stringify(spec).includes('${steps.');
}

/**
 * A resource that uses step outputs (the endpoint of a restored instance): its `spec` is resolved
 * again on every read, so a probe's next connection goes to the new endpoint as soon as the step
 * completed (also when a resumed run restored the output from its journal). Before that, reading
 * it throws an InvalidInputError naming the step: a probe reports a failed check, an action a
 * failed step.
 */
export function liveResource(name: string, spec: ResourceSpec, sources: () => RefSources): ResourceRef {
  return {
    name,
    type: spec.type,
    get spec() {
      const { type: _type, ...rest } = resolveRefs(spec, sources(), `resource ${name}`);
      return rest;
    },
  };
}
