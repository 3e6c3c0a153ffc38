import type { Registry } from '../providers/registry.js';
import { actionPermissions } from '../providers/types.js';
import type { Runbook } from '../runbook/types.js';
import { planRun, type RunMode } from './plan.js';
import { preflightScope, providersUsedBy } from './provider-sessions.js';

/** An IAM policy document: what `lifeboat iam-policy` prints. */
export interface IamPolicy {
  Version: '2012-10-17';
  Statement: Array<{ Sid: string; Effect: 'Allow'; Action: string[]; Resource: '*' }>;
}

const sid = (s: string) => s.replace(/[^A-Za-z0-9]/g, ' ').replace(/(^|\s+)(\w)/g, (_m, _s, c: string) => c.toUpperCase()).replace(/\s/g, '');

/**
 * The least-privilege IAM policy of a runbook, from the permissions each action (its call and its
 * waiter), each probe and each provider's preflight declare: one statement for the preflight, one
 * per probe and one per step, so a reviewer sees why each permission is there. Pure: no SDK.
 */
export function iamPolicyOf(runbook: Runbook, registry: Registry, modes: readonly RunMode[] = ['drill', 'failover']): IamPolicy {
  const statements: IamPolicy['Statement'] = [];
  const add = (name: string, actions: readonly string[]) => {
    const unique = [...new Set(actions)].sort();
    if (unique.length === 0) return;
    let s = sid(name) || 'Statement';
    while (statements.some((x) => x.Sid === s)) s += 'X';
    statements.push({ Sid: s, Effect: 'Allow', Action: unique, Resource: '*' });
  };
  // The drill plan holds every phase; failover mode runs a subset of its steps.
  const plan = planRun(runbook, modes.includes('drill') ? 'drill' : 'failover', registry);
  const scope = preflightScope(runbook, plan);
  const types = [...new Set(Object.values(runbook.resources).map((r) => r.type))];
  const preflight = providersUsedBy(runbook, registry).flatMap((p) => [...(p.preflightPermissions?.(types.filter((t) => registry.providerOf('resourceType', t) === p), scope.steps ?? []) ?? [])]);
  add('Preflight', preflight);
  for (const [name, p] of Object.entries(runbook.probes)) add(`Probe ${name}`, registry.probe(p.type)?.permissions ?? []);
  for (const step of scope.steps ?? []) add(`Step ${step.phase} ${step.stepId}`, actionPermissions(registry.action(step.action), step.params));
  return { Version: '2012-10-17', Statement: statements };
}
