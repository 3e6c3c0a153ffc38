import { InvalidInputError } from '../errors.js';
import type { LabServiceSpec } from './types.js';

/**
 * The one rule of lab topology, used by validation (with positions) and by every driver before
 * it starts anything: names a driver can use for directories, containers and
 * `application_name`, settings that are setting names, upstreams that exist, no cycles.
 */

/** Service names: what the runbook's Name allows (letters, digits, `_`, `.`, `-`; at most 63). */
export const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;

/** One topology problem, at a path under `lab.services`. */
export interface TopologyProblem {
  /** Path below `lab.services`, e.g. `['primary', 'replicaOf']`. */
  path: Array<string | number>;
  message: string;
}

type LooseServices = Record<string, unknown>;
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Every topology problem of a (possibly unvalidated) `lab.services` mapping. */
export function topologyProblems(services: LooseServices): TopologyProblem[] {
  const out: TopologyProblem[] = [];
  const names = Object.keys(services);
  if (names.length === 0) out.push({ path: [], message: 'the lab has no services' });
  for (const name of names) {
    if (!SERVICE_NAME.test(name)) out.push({ path: [name], message: `lab service name "${name}" must be 1-63 letters, digits, "_", "." or "-", starting with a letter or digit` });
    const s = services[name];
    if (!isObj(s)) continue;
    if (isObj(s.settings)) {
      for (const key of Object.keys(s.settings)) if (!SETTING_NAME.test(key)) out.push({ path: [name, 'settings', key], message: `"${key}" is not a setting name` });
    }
    if (s.replicaOf === undefined) continue;
    const up = typeof s.replicaOf === 'string' ? s.replicaOf : undefined;
    // An empty service has no data at lab up: nothing to clone, nothing to clone from.
    if (s.empty === true) out.push({ path: [name, 'empty'], message: 'an empty service cannot be a replica (it is filled by a restore, not cloned at lab up)' });
    if (up === name) out.push({ path: [name, 'replicaOf'], message: 'a service cannot replicate from itself' });
    else if (up !== undefined && !Object.hasOwn(services, up)) out.push({ path: [name, 'replicaOf'], message: `no lab service named "${up}"` });
    else if (up !== undefined && isObj(services[up]) && (services[up] as Record<string, unknown>).empty === true)
      out.push({ path: [name, 'replicaOf'], message: `"${up}" is empty at lab up (empty: true): there is nothing to replicate from` });
  }
  // Cycles: follow replicaOf chains (a service replicating from itself is reported above).
  for (const name of names) {
    const seen = new Set<string>([name]);
    let cur: unknown = services[name];
    if (isObj(cur) && cur.replicaOf === name) continue;
    while (isObj(cur) && typeof cur.replicaOf === 'string' && Object.hasOwn(services, cur.replicaOf)) {
      if (seen.has(cur.replicaOf)) {
        if (cur.replicaOf === name) out.push({ path: [name, 'replicaOf'], message: 'replication cycle: some service must be a primary' });
        break;
      }
      seen.add(cur.replicaOf);
      cur = services[cur.replicaOf];
    }
  }
  return out;
}

/**
 * Orders services so that each comes after the one it replicates from. Throws
 * InvalidInputError with every topology problem when there is one.
 */
export function startOrder(services: Record<string, LabServiceSpec>): string[] {
  const problems = topologyProblems(services);
  if (problems.length) throw new InvalidInputError(problems.map((p) => (p.path.length ? `lab.services.${p.path.join('.')}: ${p.message}` : p.message)).join('; '));
  const order: string[] = [];
  const visit = (name: string): void => {
    if (order.includes(name)) return;
    const up = services[name]!.replicaOf;
    if (up !== undefined) visit(up);
    order.push(name);
  };
  for (const name of Object.keys(services)) visit(name);
  return order;
}
