import { describe, expect, it } from 'vitest';
import { AbortedError, StepFailedError } from '../errors.js';
import type { ActionStep, PhaseItem } from '../runbook/types.js';
import { StepExecutor } from './executor.js';
import { planPhase } from './plan.js';
import { fakeContext, fakeRegistry, type FakeCall } from './testing/fake-provider.js';
import type { TimelineEvent } from '../timeline/timeline-event.js';

const step = (id: string, action: string, extra: Record<string, unknown> = {}): ActionStep => ({ id, action, onFailure: 'abort', ...extra });

function setup(opts: { done?: Set<string>; completed?: Map<string, unknown>; inFlight?: Set<string> } = {}) {
  const calls: FakeCall[] = [];
  const events: TimelineEvent[] = [];
  const durable: boolean[] = [];
  const exec = new StepExecutor({
    registry: fakeRegistry(calls, opts.done),
    context: fakeContext(events),
    env: { GREETING: 'hello' },
    record: (e, d) => {
      events.push(e);
      durable.push(d);
    },
    prior: opts.completed || opts.inFlight ? { completed: opts.completed ?? new Map(), inFlight: opts.inFlight ?? new Set() } : undefined,
  });
  const steps = (id: string) => events.filter((e): e is Extract<TimelineEvent, { kind: 'step' }> => e.kind === 'step' && e.stepId === id).map((e) => e.status);
  return { exec, calls, events, durable, steps, signal: new AbortController().signal };
}

describe('StepExecutor', () => {
  it('runs steps in order and gives later steps the outputs and environment values they refer to', async () => {
    const { exec, calls, signal } = setup();
    const items: PhaseItem[] = [step('a', 'fake.ok', { value: '${env:GREETING}' }), step('b', 'fake.ok', { value: 'got ${steps.a.value}' })];
    expect(await exec.runPhase(planPhase('failover', items, exec.registry), signal)).toEqual({ ok: true });
    expect(calls.map((c) => [c.step, c.params.value])).toEqual([
      ['a', 'hello'],
      ['b', 'got hello'],
    ]);
  });

  it('aborts the provider call when the step times out', async () => {
    const { exec, calls, signal, steps } = setup();
    const started = Date.now();
    const r = await exec.runPhase(planPhase('failover', [step('slow', 'fake.sleep', { ms: 5000, timeout: '50ms' })], exec.registry), signal);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(r.ok).toBe(false);
    expect(r.error).toBeInstanceOf(StepFailedError);
    expect(r.error!.message).toMatch(/timed out after 50 ms/);
    expect(calls[0]!.aborted).toBe(true);
    expect(steps('slow')).toEqual(['started', 'failed']);
  });

  it('retries a retryable failure up to maximumAttempts and then succeeds', async () => {
    const { exec, calls, signal, steps } = setup();
    const retry = { maximumAttempts: 3, initialInterval: '1ms', backoffCoefficient: 2, nonRetryableErrorTypes: [] };
    const r = await exec.runPhase(planPhase('failover', [step('flaky', 'fake.fail', { times: 2, retry })], exec.registry), signal);
    expect(r.ok).toBe(true);
    expect(calls).toHaveLength(3);
    expect(steps('flaky')).toEqual(['started', 'retrying', 'retrying', 'succeeded']);
    expect(exec.outputs.flaky).toEqual({ after: 3 });
  });

  it('gives up after maximumAttempts', async () => {
    const { exec, calls, signal } = setup();
    const retry = { maximumAttempts: 2, initialInterval: '1ms', backoffCoefficient: 1, nonRetryableErrorTypes: [] };
    const r = await exec.runPhase(planPhase('failover', [step('bad', 'fake.fail', { retry })], exec.registry), signal);
    expect(r.ok).toBe(false);
    expect(calls).toHaveLength(2);
  });

  it('stops at once on a non-retryable error', async () => {
    const { exec, calls, signal } = setup();
    const retry = { maximumAttempts: 5, initialInterval: '1ms', backoffCoefficient: 1, nonRetryableErrorTypes: [] };
    const r = await exec.runPhase(planPhase('failover', [step('fatal', 'fake.fail', { fatal: true, retry })], exec.registry), signal);
    expect(r.ok).toBe(false);
    expect(calls).toHaveLength(1);
  });

  it('stops at once on an error type listed as non-retryable', async () => {
    const { exec, calls, signal } = setup();
    const retry = { maximumAttempts: 5, initialInterval: '1ms', backoffCoefficient: 1, nonRetryableErrorTypes: ['PROVIDER_ERROR'] };
    await exec.runPhase(planPhase('failover', [step('listed', 'fake.fail', { retry })], exec.registry), signal);
    expect(calls).toHaveLength(1);
  });

  it('goes on after a failed step whose onFailure is continue', async () => {
    const { exec, calls, signal } = setup();
    const r = await exec.runPhase(planPhase('failover', [step('bad', 'fake.fail', { onFailure: 'continue' }), step('next', 'fake.ok')], exec.registry), signal);
    expect(r.ok).toBe(true);
    expect(calls.map((c) => c.step)).toEqual(['bad', 'next']);
  });

  it('starts the steps of a parallel group together', async () => {
    const { exec, signal } = setup();
    const started = performance.now();
    const r = await exec.runPhase(planPhase('failover', [{ parallel: [step('p1', 'fake.sleep', { ms: 150 }), step('p2', 'fake.sleep', { ms: 150 }), step('p3', 'fake.sleep', { ms: 150 })] }], exec.registry), signal);
    expect(r.ok).toBe(true);
    expect(performance.now() - started).toBeLessThan(400); // one after the other: 450 ms
  });

  it('runs the compensations of completed steps in reverse order when a later step fails', async () => {
    const { exec, calls, signal, steps } = setup();
    const items: PhaseItem[] = [
      step('one', 'fake.ok', { compensate: step('undo-one', 'fake.ok') }),
      step('two', 'fake.ok', { compensate: step('undo-two', 'fake.ok') }),
      step('three', 'fake.fail'),
    ];
    const r = await exec.runPhase(planPhase('failover', items, exec.registry), signal);
    expect(r.ok).toBe(false);
    expect(calls.map((c) => c.step)).toEqual(['one', 'two', 'three', 'undo-two', 'undo-one']);
    expect(steps('one')).toContain('compensated');
  });

  it('makes a mutating step durable before the next step starts, and batches read-only ones', async () => {
    const { exec, events, durable, signal } = setup();
    await exec.runPhase(planPhase('failover', [step('m', 'fake.ok'), step('r', 'fake.sleep', { ms: 1 })], exec.registry), signal);
    const flags = events.map((e, i) => [(e as { stepId: string }).stepId, (e as { status: string }).status, durable[i]]);
    expect(flags).toEqual([
      ['m', 'started', true],
      ['m', 'succeeded', true],
      ['r', 'started', false],
      ['r', 'succeeded', false],
    ]);
  });

  it('on resume, skips completed steps and does not re-run an in-flight step that already took effect', async () => {
    const { exec, calls, signal, steps } = setup({ completed: new Map([['a', { value: 'from-before' }]]), inFlight: new Set(['b']), done: new Set(['b']) });
    const r = await exec.runPhase(planPhase('failover', [step('a', 'fake.ok'), step('b', 'fake.ok'), step('c', 'fake.ok', { value: '${steps.a.value}' })], exec.registry), signal);
    expect(r.ok).toBe(true);
    expect(calls.map((c) => [c.step, c.params.value])).toEqual([['c', 'from-before']]);
    expect(steps('a')).toEqual(['skipped']);
    expect(steps('b')).toEqual(['already-done']);
  });

  it('keeps the output an already-done step reports, for later steps and in its journaled event', async () => {
    const { exec, calls, signal, events } = setup({ inFlight: new Set(['b']), done: new Set(['b']) });
    await exec.runPhase(planPhase('failover', [step('b', 'fake.ok'), step('c', 'fake.ok', { value: '${steps.b.value}' })], exec.registry), signal);
    expect(calls.map((c) => [c.step, c.params.value])).toEqual([['c', 'b-found']]);
    expect(events.find((e) => (e as { stepId?: string }).stepId === 'b')).toMatchObject({ status: 'already-done', output: { value: 'b-found' } });
  });

  it('re-runs an in-flight step that had not taken effect', async () => {
    const { exec, calls, signal } = setup({ inFlight: new Set(['b']) });
    await exec.runPhase(planPhase('failover', [step('b', 'fake.ok')], exec.registry), signal);
    expect(calls.map((c) => c.step)).toEqual(['b']);
  });

  it('turns an interruption into AbortedError and still runs compensations', async () => {
    const { exec, calls } = setup();
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('interrupted by SIGINT')), 50);
    const r = await exec.runPhase(planPhase('failover', [step('one', 'fake.ok', { compensate: step('undo', 'fake.ok') }), step('long', 'fake.sleep', { ms: 5000 })], exec.registry), ac.signal, new AbortController().signal);
    expect(r.error).toBeInstanceOf(AbortedError);
    expect(calls.map((c) => c.step)).toEqual(['one', 'long', 'undo']);
  });
});

describe('StepExecutor and secrets', () => {
  it('redacts passwords quoted in a step error before it is recorded', async () => {
    const { defaultRegistry } = await import('../cli/default-registry.js');
    const events: TimelineEvent[] = [];
    const exec = new StepExecutor({ registry: defaultRegistry(), context: fakeContext(events), env: {}, record: (e) => events.push(e) });
    const r = await exec.runPhase(planPhase('failover', [step('leaky', 'exec', { command: ['sh', '-c', 'exit 1', 'postgres://app:hunter2@db/app'], expectExitCodes: [0] })], exec.registry), new AbortController().signal);
    expect(r.ok).toBe(false);
    const failed = events.find((e) => e.kind === 'step' && e.status === 'failed') as { error: string };
    expect(failed.error).toMatch(/exit code 1/);
    expect(JSON.stringify(events)).not.toContain('hunter2');
  });
});

describe('StepExecutor failure bookkeeping', () => {
  it('announces a failed phase before running its compensations', async () => {
    const { exec, events, signal } = setup();
    const order: string[] = [];
    const items: PhaseItem[] = [step('one', 'fake.ok', { compensate: step('undo', 'fake.ok') }), step('bad', 'fake.fail')];
    await exec.runPhase(planPhase('failover', items, exec.registry), signal, signal, () => order.push(`failing after ${events.length} events`));
    const undoStart = events.findIndex((e) => e.kind === 'step' && e.stepId === 'undo');
    expect(order).toEqual([`failing after ${undoStart} events`]);
  });
});
