import type { Logger } from 'pino';
import { AbortedError, ProviderError, messageOf } from '../errors.js';
import { redactText } from '../log.js';
import type { Clock } from '../timeline/clock.js';
import type { ProbeSample } from '../timeline/timeline-event.js';
import type { ProbeInstance } from '../providers/types.js';

/** A probe to schedule: its instance and timing. */
export interface ScheduledProbe {
  name: string;
  instance: ProbeInstance;
  intervalMs: number;
  timeoutMs: number;
}

/**
 * Runs every probe at its interval, each check with its own timeout. A check that hangs does
 * not delay the next tick: up to `maxInFlight` checks of one probe may overlap, so a server that
 * comes back is seen within one interval even while older checks still wait on it.
 */
export class ProbeScheduler {
  private timers = new Map<string, NodeJS.Timeout>();
  private inFlight = new Map<string, Set<Promise<void>>>();
  private controllers = new Set<AbortController>();
  /** Start instants of the checks still running, by probe. */
  private running = new Map<string, Set<number>>();
  private stopped = false;

  constructor(
    private readonly probes: readonly ScheduledProbe[],
    private readonly clock: Clock,
    private readonly onSample: (s: ProbeSample) => void,
    private readonly log: Logger,
  ) {}

  start(): void {
    for (const p of this.probes) {
      this.inFlight.set(p.name, new Set());
      const maxInFlight = Math.min(32, Math.ceil(p.timeoutMs / p.intervalMs) + 1);
      const first = this.clock.now();
      let n = 0;
      const tick = () => {
        if (this.stopped) return;
        const running = this.inFlight.get(p.name)!;
        if (running.size < maxInFlight) {
          const pr = this.checkOnce(p).finally(() => running.delete(pr));
          running.add(pr);
        }
        // Schedule against the start instant so ticks do not drift.
        n++;
        const delay = Math.max(0, first + n * p.intervalMs - this.clock.now());
        this.timers.set(p.name, setTimeout(tick, delay));
      };
      tick();
    }
  }

  private async checkOnce(p: ScheduledProbe): Promise<void> {
    const ac = new AbortController();
    this.controllers.add(ac);
    const start = this.clock.now();
    // libuv arms timers from its cached loop time, which can lag: re-arm for what is left, so a
    // check is never abandoned before its whole timeout has passed on the run's clock.
    let timer: NodeJS.Timeout;
    const arm = (ms: number) => {
      timer = setTimeout(() => {
        const left = p.timeoutMs - (this.clock.now() - start);
        if (left > 0) arm(Math.ceil(left));
        else ac.abort(new ProviderError(`timed out after ${p.timeoutMs} ms`));
      }, ms);
    };
    arm(p.timeoutMs);
    let starts = this.running.get(p.name);
    if (!starts) this.running.set(p.name, (starts = new Set()));
    starts.add(start);
    let sample: ProbeSample;
    try {
      const r = await p.instance.check(ac.signal);
      sample = { t: this.clock.now(), kind: 'probe', probe: p.name, start, ok: r.ok && !ac.signal.aborted, ...(r.endpoint ? { endpoint: r.endpoint } : {}) };
      if (!sample.ok) sample.error = ac.signal.aborted ? messageOf(ac.signal.reason) : (r.error ?? 'failed');
    } catch (err) {
      sample = { t: this.clock.now(), kind: 'probe', probe: p.name, start, ok: false, error: ac.signal.aborted ? messageOf(ac.signal.reason) : messageOf(err) };
    } finally {
      clearTimeout(timer!);
      this.controllers.delete(ac);
      starts.delete(start);
    }
    if (this.stopped) return;
    if (sample.error) sample.error = redactText(sample.error);
    this.onSample(sample);
  }

  /** Start instants of the checks of these probes that are still running (a decision on recovery waits for them). */
  pendingStarts(probes: readonly string[]): number[] {
    return probes.flatMap((p) => [...(this.running.get(p) ?? [])]);
  }

  /**
   * Stops scheduling, aborts checks in flight, and waits for them — at most `graceMs`, so that a
   * check which ignores its signal cannot hang the run. Does not close instances.
   */
  async stop(graceMs = 5000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    for (const ac of this.controllers) ac.abort(new AbortedError('probes stopped'));
    const pending = [...this.inFlight.values()].flatMap((s) => [...s]);
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      Promise.allSettled(pending).then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs))),
    ]);
    clearTimeout(timer);
    if (late) this.log.warn({ pending: pending.length }, 'probe checks did not end after being aborted; going on without them');
  }

  /** Stops and closes every probe instance. */
  async close(): Promise<void> {
    await this.stop();
    await Promise.allSettled(
      this.probes.map((p) =>
        p.instance.close().catch((err: unknown) => this.log.warn({ probe: p.name, err: messageOf(err) }, 'probe close failed')),
      ),
    );
  }
}
