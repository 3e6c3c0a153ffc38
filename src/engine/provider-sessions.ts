import type { Logger } from 'pino';
import { InfrastructureError, messageOf } from '../errors.js';
import type { Registry } from '../providers/registry.js';
import type { PreflightContext, PreflightProblem, PreflightStep, Provider, ProviderContext, ProviderSession, ResourceRef } from '../providers/types.js';
import type { RunPlan } from './plan.js';
import { isParallel, PHASES, type ActionStep, type Runbook } from '../runbook/types.js';

/** How long all preflight checks of a run may take together. */
const PREFLIGHT_DEADLINE_MS = 30_000;

/** The providers a runbook uses: through its resources, probes or step actions. */
export function providersUsedBy(runbook: Runbook, registry: Registry): Provider[] {
  const used = new Set<Provider>();
  const add = (p: Provider | undefined) => p && used.add(p);
  for (const r of Object.values(runbook.resources)) add(registry.providerOf('resourceType', r.type));
  for (const p of Object.values(runbook.probes)) add(registry.providerOf('probe', p.type));
  const steps = (s: ActionStep): ActionStep[] => [s, ...(s.compensate ? steps(s.compensate) : [])];
  for (const phase of PHASES)
    for (const item of runbook[phase]) for (const s of (isParallel(item) ? item.parallel : [item]).flatMap(steps)) add(registry.providerOf('action', s.action));
  return registry.providers.filter((p) => used.has(p));
}

/** The per-run state of the providers a run uses: opened at run start, closed at its end. */
export class ProviderSessions {
  private readonly sessions = new Map<string, ProviderSession>();

  constructor(
    private readonly providers: readonly Provider[],
    private readonly log: Logger,
  ) {}

  /** Opens each provider that has per-run state. On failure the ones already open are closed. */
  async open(ctx: ProviderContext): Promise<void> {
    for (const p of this.providers) {
      if (!p.open) continue;
      try {
        this.sessions.set(p.name, await p.open(ctx));
      } catch (err) {
        await this.close();
        throw new InfrastructureError(`provider ${p.name} could not start: ${messageOf(err)}`, { cause: err });
      }
    }
  }

  /** What `open` returned for a provider (given to its actions and probes as `ctx.session`). */
  state(provider: string): unknown {
    return this.sessions.get(provider)?.state;
  }

  /**
   * Runs every provider's read-only preflight over the resources of its types. Returns the
   * problems found (each naming its resource); changes nothing.
   */
  async preflight(
    resources: readonly ResourceRef[],
    ctx: ProviderContext,
    registry: Registry,
    signal: AbortSignal,
    scope: Pick<PreflightContext, 'steps' | 'safety'> = {},
  ): Promise<PreflightProblem[]> {
    const bounded = AbortSignal.any([signal, AbortSignal.timeout(PREFLIGHT_DEADLINE_MS)]);
    const problems: PreflightProblem[] = [];
    for (const p of this.providers) {
      if (!p.preflight) continue;
      const own = resources.filter((r) => registry.providerOf('resourceType', r.type) === p);
      // A provider used only by steps (a FIS experiment) still checks them: the allow tag of a template.
      if (own.length === 0 && !(scope.steps ?? []).some((st) => registry.providerOf('action', st.action) === p)) continue;
      try {
        problems.push(...(await p.preflight(own, { ...ctx, ...scope, signal: bounded, session: this.state(p.name) })));
      } catch (err) {
        if (signal.aborted) throw err;
        problems.push({ resource: own.map((r) => r.name).join(', '), message: `preflight of provider ${p.name} failed: ${messageOf(err)}` });
      }
    }
    return problems;
  }

  /** Closes every open session; errors are logged, never thrown (this runs during cleanup). */
  async close(): Promise<void> {
    const open = [...this.sessions];
    this.sessions.clear();
    for (const [name, s] of open) await s.close().catch((err: unknown) => this.log.warn({ provider: name, err: messageOf(err) }, 'provider session did not close'));
  }
}

/** What preflight sees of a run: every step it will execute (compensations too) and the runbook's safety section. */
export function preflightScope(runbook: Runbook, plan: RunPlan): Pick<PreflightContext, 'steps' | 'safety'> {
  const steps: PreflightStep[] = [];
  for (const phase of plan.phases)
    for (const s of phase.steps)
      for (const x of s.compensate ? [s, s.compensate] : [s])
        steps.push({ phase: phase.phase, stepId: x.id, action: x.action, ...(x.target ? { target: x.target } : {}), params: x.params });
  const safety = runbook.safety;
  return { steps, safety: { allowUntagged: safety?.allowUntagged ?? [], ...(safety?.allowTag ? { allowTag: safety.allowTag } : {}) } };
}
