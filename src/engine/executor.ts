import { setMaxListeners } from 'node:events';
import { AbortedError, InvalidInputError, LifeboatError, StepFailedError, StepTimeoutError, messageOf } from '../errors.js';
import { redactText, redactValue } from '../log.js';
import type { Registry } from '../providers/registry.js';
import type { ActionContext, Phase, ProviderContext } from '../providers/types.js';
import { resolveRefs } from './interpolate.js';
import { batches, type PlannedPhase, type PlannedStep } from './plan.js';
import { withRetry } from './retry.js';
import { raceAbort } from '../util/abort.js';
import type { TimelineEvent } from '../timeline/timeline-event.js';

/** What the journal says about steps of an earlier attempt of this run. */
export interface PriorSteps {
  /** Steps that already completed (not repeated). */
  completed: Map<string, unknown>;
  /** Steps that had started but not ended when the process died. */
  inFlight: Set<string>;
}

export interface ExecutorOptions {
  registry: Registry;
  /** Provider context shared by every step (lab, resources, clock, log). */
  context: ProviderContext;
  /** Appends to the timeline; `durable` entries are on disk before the call returns. */
  record(event: TimelineEvent, durable: boolean): void;
  env: NodeJS.ProcessEnv;
  prior?: PriorSteps;
  /** Called with every step event (progress display). */
  onStep?(event: Extract<TimelineEvent, { kind: 'step' }>): void;
  /** The per-run state of a provider (what its `open` returned), given to its actions as `ctx.session`. */
  session?(provider: string): unknown;
}

/** Outcome of a phase. */
export interface PhaseOutcome {
  ok: boolean;
  error?: Error;
}

/**
 * Runs the steps of a planned phase exactly as planned: sequential steps, parallel groups,
 * per-attempt timeouts through an AbortSignal, retries by policy, `onFailure`, and saga-style
 * compensation when the phase fails.
 */
export class StepExecutor {
  /** Outputs of completed steps, by id (visible to later steps as `${steps.<id>.<field>}`). */
  readonly outputs: Record<string, unknown> = {};

  /** The registry the steps' actions come from. */
  get registry(): Registry {
    return this.opts.registry;
  }

  constructor(private readonly opts: ExecutorOptions) {
    for (const [id, out] of opts.prior?.completed ?? []) this.outputs[id] = out ?? {};
  }

  private emit(e: Omit<Extract<TimelineEvent, { kind: 'step' }>, 't' | 'kind'>, durable: boolean) {
    // Error texts can quote commands and DSNs: they are redacted before they reach the journal.
    const event = { t: this.opts.context.clock.now(), kind: 'step' as const, ...e, ...(e.error !== undefined ? { error: redactText(e.error) } : {}) };
    this.opts.record(event, durable);
    this.opts.onStep?.(event);
  }

  /**
   * Runs a phase. `signal` aborts the current step (interruption); `cleanupSignal` is used for
   * compensations, which must still run after an interruption.
   */
  async runPhase(
    planned: PlannedPhase,
    signal: AbortSignal,
    cleanupSignal: AbortSignal = signal,
    /** Called once the phase has failed, before its compensations run (to journal the failure first). */
    onFailing?: (error: Error) => void,
  ): Promise<PhaseOutcome> {
    const phase = planned.phase;
    const completed: PlannedStep[] = [];
    let failure: Error | undefined;
    for (const steps of batches(planned)) {
      if (signal.aborted) {
        failure = signal.reason instanceof Error ? signal.reason : new AbortedError();
        break;
      }
      const results = await Promise.all(steps.map((s) => this.runStep(phase, s, signal).then(() => undefined, (e: Error) => e)));
      results.forEach((err, i) => {
        const step = steps[i]!;
        if (!err) completed.push(step);
        else if (step.onFailure === 'abort' || err instanceof AbortedError) failure ??= err;
      });
      if (failure) break;
    }
    if (failure) {
      onFailing?.(failure);
      await this.compensate(phase, completed, cleanupSignal);
      return { ok: false, error: failure };
    }
    return { ok: true };
  }

  private async compensate(phase: Phase, completed: PlannedStep[], signal: AbortSignal) {
    for (const step of [...completed].reverse()) {
      if (!step.compensate) continue;
      try {
        await this.runStep(phase, step.compensate, signal);
        this.emit({ phase, stepId: step.id, status: 'compensated' }, true);
      } catch (err) {
        this.opts.context.log.error({ step: step.compensate.id, err: messageOf(err) }, 'compensation failed');
      }
    }
  }

  /** Runs one step with its timeout and retry policy; throws StepFailedError (or AbortedError). */
  async runStep(phase: Phase, step: PlannedStep, signal: AbortSignal): Promise<void> {
    const { registry, context, prior } = this.opts;
    if (prior?.completed.has(step.id)) {
      this.emit({ phase, stepId: step.id, status: 'skipped', error: 'completed before the resume' }, false);
      return;
    }
    const def = registry.action(step.action);
    if (!def) throw new StepFailedError(step.id, `unknown action ${step.action}`);
    const { mutating, timeoutMs } = step;
    const provider = registry.providerOf('action', step.action)?.name;
    const session = provider !== undefined ? this.opts.session?.(provider) : undefined;

    let params: Record<string, unknown>;
    let target;
    try {
      const resolved = resolveRefs(step.params, { env: this.opts.env, outputs: this.outputs }, `step ${step.id}`);
      // Parse again after substitution: defaults apply and substituted values are checked.
      const parsed = def.params.safeParse(resolved);
      if (!parsed.success) throw new InvalidInputError(`step ${step.id}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      params = parsed.data as Record<string, unknown>;
      target = step.target ? context.resource(step.target) : undefined;
    } catch (err) {
      this.emit({ phase, stepId: step.id, status: 'failed', error: messageOf(err) }, true);
      throw new StepFailedError(step.id, messageOf(err), { cause: err });
    }
    const ctxFor = (s: AbortSignal): ActionContext => ({ ...context, stepId: step.id, phase, signal: s, target, outputs: this.outputs, ...(session !== undefined ? { session } : {}) });

    if (prior?.inFlight.has(step.id) && def.isDone) {
      const check = withTimeout(signal, Math.min(timeoutMs, 30_000), step.id);
      try {
        const done = await raceAbort(def.isDone(ctxFor(check.signal), params), check.signal);
        if (done === true || (typeof done === 'object' && done.done)) {
          const output = typeof done === 'object' ? done.output : undefined;
          this.outputs[step.id] = output ?? {};
          this.emit({ phase, stepId: step.id, status: 'already-done', ...(output ? { output } : {}) }, true);
          return;
        }
      } catch (err) {
        context.log.warn({ step: step.id, err: messageOf(err) }, 'could not check whether the interrupted step took effect; running it again');
      } finally {
        check.dispose();
      }
    }

    this.emit({ phase, stepId: step.id, status: 'started', attempt: 1 }, mutating);
    let attempts = 0;
    try {
      const output = await withRetry(
        async (n) => {
          attempts = n;
          const t = withTimeout(signal, timeoutMs, step.id);
          try {
            // An action that ignores its signal must still not hold the run past its timeout.
            return await raceAbort(def.run(ctxFor(t.signal), params), t.signal);
          } catch (err) {
            if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new AbortedError();
            if (t.signal.aborted) throw t.signal.reason;
            throw err;
          } finally {
            t.dispose();
          }
        },
        step.retry,
        signal,
        (err, n, delay) => this.emit({ phase, stepId: step.id, status: 'retrying', attempt: n, error: `${messageOf(err)} (retrying in ${Math.round(delay)} ms)` }, false),
      );
      this.outputs[step.id] = output ?? {};
      this.emit({ phase, stepId: step.id, status: 'succeeded', attempt: attempts, output: redactValue(output) }, mutating);
    } catch (err) {
      const aborted = err instanceof AbortedError || signal.aborted;
      this.emit({ phase, stepId: step.id, status: 'failed', attempt: attempts, error: messageOf(err) }, true);
      if (aborted) throw err instanceof AbortedError ? err : new AbortedError(messageOf(signal.reason));
      if (err instanceof StepTimeoutError || err instanceof InvalidInputError) throw new StepFailedError(step.id, err.message, { cause: err });
      throw new StepFailedError(step.id, err instanceof LifeboatError ? err.message : messageOf(err), { cause: err });
    }
  }
}

/** An AbortSignal that fires on the parent's abort or after `ms` with a StepTimeoutError. */
function withTimeout(parent: AbortSignal, timeoutMs: number, stepId: string): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const onParent = () => ac.abort(parent.reason);
  if (parent.aborted) ac.abort(parent.reason);
  else {
    // A parallel group adds one listener per step to the same parent: that is expected.
    setMaxListeners(0, parent);
    parent.addEventListener('abort', onParent, { once: true });
  }
  const timer = setTimeout(() => ac.abort(new StepTimeoutError(stepId, timeoutMs)), timeoutMs);
  return {
    signal: ac.signal,
    dispose() {
      clearTimeout(timer);
      parent.removeEventListener('abort', onParent);
    },
  };
}
