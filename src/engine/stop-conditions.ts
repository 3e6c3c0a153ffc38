import { AbortedError } from '../errors.js';
import type { ProbeSample } from '../timeline/timeline-event.js';

/**
 * A runbook's stop conditions (`stopWhen: [probe, ...]`), as FIS has them: while the window is
 * open (from the fault phase, or the failover phase of a real failover, to the end of failover),
 * the first failed check of one of these probes that started inside it aborts `signal` — the
 * current step is cancelled and the run ends `stopped` after failback.
 */
export class StopConditions {
  private readonly probes: ReadonlySet<string>;
  private readonly ac = new AbortController();
  private from: number | undefined;
  /** Aborted by the run's own signal, or when a stop condition trips (its reason says which). */
  readonly signal: AbortSignal;

  constructor(probes: readonly string[], parent: AbortSignal) {
    this.probes = new Set(probes);
    this.signal = AbortSignal.any([parent, this.ac.signal]);
  }

  /** Whether a stop condition tripped. */
  get tripped(): boolean {
    return this.ac.signal.aborted;
  }

  /** Opens the window: checks that start from `t` on count. */
  open(t: number): void {
    this.from ??= t;
  }

  /** Closes the window (the failover phase ended). */
  close(): void {
    this.from = undefined;
  }

  /** Looks at a probe sample; returns the reason when it trips the stop (once). */
  observe(s: ProbeSample): string | undefined {
    if (this.from === undefined || this.tripped || s.ok || s.unobserved || !this.probes.has(s.probe) || s.start < this.from) return undefined;
    const reason = `stop condition: probe ${s.probe} failed${s.error ? `: ${s.error}` : ''}`;
    this.ac.abort(new AbortedError(reason));
    return reason;
  }
}
