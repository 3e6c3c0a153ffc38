// Engine overhead with the journal on: how much the executor and its journal add around steps
// that do nothing, and whether a parallel group really runs its steps at once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { z } from 'zod';
import { createClock } from '../src/timeline/clock.js';
import { StepExecutor } from '../src/engine/executor.js';
import { planPhase } from '../src/engine/plan.js';
import { Journal } from '../src/engine/journal.js';
import type { TimelineEvent } from '../src/timeline/timeline-event.js';
import { defaultRegistry } from '../src/cli/default-registry.js';
import { createRegistry, type Registry } from '../src/providers/registry.js';
import type { ActionDef, ProviderContext } from '../src/providers/types.js';
import type { ActionStep, PhaseItem } from '../src/runbook/types.js';
import { atMost, fmtMs, info, type BenchReport } from './support/bench-report.js';
import { envCount, max, median } from './support/stats.js';

const NOOP_STEPS = 10_000;
const NOOP_TARGET_MS = 1_000;
const PARALLEL_WAITS = 100;
const WAIT_MS = 1_000;
const PARALLEL_TARGET_MS = 1_050;
const MUTATING_STEPS = 1_000;

/** A test action that returns at once; `mutates` decides whether its step events are fsynced. */
function noopAction(name: string, mutates: boolean): ActionDef {
  return {
    name,
    description: 'bench: returns at once',
    phases: ['fault', 'failover', 'failback'],
    target: 'none',
    params: z.object({}),
    mutates,
    async run() {
      return undefined;
    },
  };
}

const benchRegistry = createRegistry([
  ...defaultRegistry().providers,
  { name: 'bench', resourceTypes: [], actions: [noopAction('bench.noop', false), noopAction('bench.noop-mutating', true)], probes: [] },
]);

/** Runs one phase through a StepExecutor whose record() goes to a real journal, as runDrill wires it; returns the elapsed ms. */
async function timePhase(registry: Registry, items: PhaseItem[], expectedSteps: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-bench-engine-'));
  try {
    const journal = new Journal(join(dir, 'journal.jsonl'));
    const timeline: TimelineEvent[] = [];
    const record = (event: TimelineEvent, durable = false) => {
      timeline.push(event);
      journal.append({ type: 'event', event }, durable);
    };
    const context: ProviderContext = {
      runId: 'bench-engine',
      clock: createClock(),
      log: pino({ level: 'silent' }),
      resource: (name) => {
        throw new Error(`bench: no resource ${name}`);
      },
      resourceType: () => undefined,
      record: (e) => record(e),
    };
    const executor = new StepExecutor({ registry, context, env: {}, record });
    const signal = new AbortController().signal;
    const started = performance.now();
    const outcome = await executor.runPhase(planPhase('failover', items, registry), signal);
    journal.close(); // the batched (non-durable) entries are part of the cost
    const elapsed = performance.now() - started;
    if (!outcome.ok) throw new Error(`bench phase failed: ${outcome.error?.message}`);
    const succeeded = timeline.filter((e) => e.kind === 'step' && e.status === 'succeeded').length;
    if (succeeded !== expectedSteps) throw new Error(`bench phase: ${succeeded} steps succeeded, expected ${expectedSteps}`);
    return elapsed;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const step = (id: string, action: string, params: Record<string, unknown> = {}): ActionStep => ({ id, action, onFailure: 'abort', ...params });

export async function engineBench(progress: (line: string) => void): Promise<BenchReport> {
  const rounds = envCount('BENCH_ENGINE_ROUNDS', 3);

  const noop = Array.from({ length: NOOP_STEPS }, (_, i) => step(`noop-${i}`, 'bench.noop'));
  const noopMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    noopMs.push(await timePhase(benchRegistry, noop, NOOP_STEPS));
    progress(`${NOOP_STEPS} no-op steps, round ${r + 1}: ${fmtMs(noopMs.at(-1)!)}`);
  }

  const group: PhaseItem[] = [{ parallel: Array.from({ length: PARALLEL_WAITS }, (_, i) => step(`wait-${i}`, 'wait', { duration: `${WAIT_MS}ms` })) }];
  const parallelMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    parallelMs.push(await timePhase(defaultRegistry(), group, PARALLEL_WAITS));
    progress(`${PARALLEL_WAITS} parallel ${WAIT_MS} ms waits, round ${r + 1}: ${fmtMs(parallelMs.at(-1)!)}`);
  }

  const mutating = Array.from({ length: MUTATING_STEPS }, (_, i) => step(`mut-${i}`, 'bench.noop-mutating'));
  const mutatingMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    mutatingMs.push(await timePhase(benchRegistry, mutating, MUTATING_STEPS));
    progress(`${MUTATING_STEPS} mutating no-op steps, round ${r + 1}: ${fmtMs(mutatingMs.at(-1)!)}`);
  }

  return {
    title: `engine overhead with the journal on (median of ${rounds} rounds; max in brackets)`,
    figures: [
      { ...atMost(`${NOOP_STEPS} no-op steps (mutates: false), total`, median(noopMs), NOOP_TARGET_MS), measured: `${fmtMs(median(noopMs))} (${fmtMs(max(noopMs))})` },
      info('  per no-op step', `${((median(noopMs) / NOOP_STEPS) * 1000).toFixed(1)} µs`),
      { ...atMost(`${PARALLEL_WAITS} parallel ${WAIT_MS} ms waits (one group)`, median(parallelMs), PARALLEL_TARGET_MS), measured: `${fmtMs(median(parallelMs))} (${fmtMs(max(parallelMs))})` },
      info(`${MUTATING_STEPS} mutating no-op steps (2 fsyncs each), total`, `${fmtMs(median(mutatingMs))} (${fmtMs(max(mutatingMs))})`),
      info('  per durable step', `${fmtMs(median(mutatingMs) / MUTATING_STEPS, 3)}`),
    ],
    notes: [`journal in ${tmpdir()}; each round on a fresh journal, its final flush (close) included`],
  };
}
