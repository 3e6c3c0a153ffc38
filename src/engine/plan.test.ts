import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../cli/default-registry.js';
import { parseRunbook } from '../runbook/load.js';
import type { Runbook } from '../runbook/types.js';
import { DEFAULT_STEP_TIMEOUT_MS, phasesFor, planPhase, planRun, stepParams } from './plan.js';
import { fakeRegistry, type FakeCall } from './testing/fake-provider.js';

const registry = defaultRegistry();
const example = parseRunbook(readFileSync(new URL('../../runbooks/local-postgres-failover.yaml', import.meta.url), 'utf8'), 'example.yaml', defaultRegistry());

/** A runbook of the default registry with the given phases (YAML lines). */
function runbook(phases: string): Runbook {
  return parseRunbook(
    [
      'apiVersion: lifeboat/v1',
      'kind: Runbook',
      'name: plan-test',
      'objectives: { rto: 90s }',
      'resources:',
      '  api: { type: http, url: "http://127.0.0.1:8080" }',
      '  db: { type: tcp, port: 5432 }',
      'probes:',
      '  up: { type: http, target: api }',
      'recovery: { all: [up], timeout: 2m }',
      phases,
    ].join('\n'),
    'plan-test.yaml',
    defaultRegistry(),
  );
}

describe('planRun', () => {
  it('lists the phases of a drill in order: fault, failover, failback', () => {
    const plan = planRun(example, 'drill', registry);
    expect(plan.phases.map((p) => p.phase)).toEqual(['fault', 'failover', 'failback']);
    expect(plan.phases.map((p) => p.steps.map((s) => s.id))).toEqual([['kill-primary'], ['promote'], ['rejoin-old-primary']]);
  });

  it('plans each step of the example with its target, timeout, attempts and whether it mutates', () => {
    const steps = planRun(example, 'drill', registry).phases.flatMap((p) => p.steps);
    expect(steps).toEqual([
      { id: 'kill-primary', action: 'lab.kill', target: 'primary', timeoutMs: DEFAULT_STEP_TIMEOUT_MS, maxAttempts: 1, mutating: true, onFailure: 'abort', params: { signal: 'SIGKILL' } },
      { id: 'promote', action: 'postgres.promote', target: 'replica', timeoutMs: 30_000, maxAttempts: 3, retry: expect.objectContaining({ maximumAttempts: 3, initialInterval: '200ms' }), mutating: true, onFailure: 'abort', params: { wait: '60s' } },
      { id: 'rejoin-old-primary', action: 'postgres.rejoin', target: 'primary', timeoutMs: 120_000, maxAttempts: 1, mutating: true, onFailure: 'abort', params: { source: 'replica' } },
    ]);
  });

  it('gives a step without a timeout the default of five minutes', () => {
    expect(DEFAULT_STEP_TIMEOUT_MS).toBe(300_000);
  });

  it('describes the lab, probes, recovery condition and objectives of a drill', () => {
    const plan = planRun(example, 'drill', registry);
    expect(plan).toMatchObject({
      runbook: 'local-postgres-failover',
      mode: 'drill',
      lab: { driver: 'process', services: ['primary', 'replica'] },
      probes: ['writes', 'ready'],
      recovery: { all: ['writes', 'ready'], stableForMs: 500, timeoutMs: 60_000 },
      objectives: { rtoMs: 5000, rpoMs: 1000 },
    });
  });

  it('plans only the failover phase, and no lab, for a real failover', () => {
    const plan = planRun(example, 'failover', registry);
    expect(plan.mode).toBe('failover');
    expect(plan.phases.map((p) => p.phase)).toEqual(['failover']);
    expect(plan.phases[0]!.steps.map((s) => s.id)).toEqual(['promote']);
    expect(plan).not.toHaveProperty('lab');
    expect(phasesFor('failover')).toEqual(['failover']);
    expect(phasesFor('drill')).toEqual(['fault', 'failover', 'failback']);
  });

  it('leaves out objectives and recovery that the runbook does not give', () => {
    const rb = parseRunbook(
      'apiVersion: lifeboat/v1\nkind: Runbook\nname: rpo-only\nobjectives: { rpo: 2s }\nresources: { db: { type: postgres, dsn: "postgres://h/x" } }\nprobes: { w: { type: postgres.writes, endpoints: [db] } }\n',
      'rpo-only.yaml',
      defaultRegistry(),
    );
    const plan = planRun(rb, 'drill', registry);
    expect(plan.objectives).toEqual({ rpoMs: 2000 });
    expect(plan).not.toHaveProperty('recovery');
    expect(plan).not.toHaveProperty('lab');
    expect(plan.phases).toEqual([
      { phase: 'fault', steps: [] },
      { phase: 'failover', steps: [] },
      { phase: 'failback', steps: [] },
    ]);
  });

  it('flattens parallel groups in order, naming each step’s group', () => {
    const rb = runbook(
      [
        'failover:',
        '  - { id: first, action: wait, duration: 1s }',
        '  - id: checks',
        '    parallel:',
        '      - { id: a, action: tcp, target: db }',
        '      - { id: b, action: tcp, target: db }',
        '  - parallel:',
        '      - { id: c, action: wait, duration: 1s }',
        '  - { id: last, action: wait, duration: 1s }',
      ].join('\n'),
    );
    const steps = planRun(rb, 'drill', registry).phases.find((p) => p.phase === 'failover')!.steps;
    expect(steps.map((s) => [s.id, s.group])).toEqual([
      ['first', undefined],
      ['a', 'checks'],
      ['b', 'checks'],
      ['c', 'failover-parallel-2'],
      ['last', undefined],
    ]);
    expect(steps[0]).not.toHaveProperty('group');
  });

  it.each([
    ['wait', false, '{ id: s, action: wait, duration: 1s }'],
    ['tcp', false, '{ id: s, action: tcp, target: db }'],
    ['http GET', false, '{ id: s, action: http, target: api }'],
    ['http HEAD', false, '{ id: s, action: http, target: api, method: HEAD }'],
    ['http POST', true, '{ id: s, action: http, target: api, method: POST }'],
    ['http DELETE', true, '{ id: s, action: http, target: api, method: DELETE }'],
    ['exec', true, '{ id: s, action: exec, command: ["true"] }'],
    ['lab.kill', true, null],
  ])('marks a %s step as mutating: %s', (_, mutating, step) => {
    const rb = step === null ? example : runbook(`failover:\n  - ${step}`);
    const [planned] = planRun(rb, step === null ? 'drill' : 'failover', registry).phases[0]!.steps;
    expect(planned!.mutating).toBe(mutating);
  });

  it('treats an action the registry does not know as mutating', () => {
    const rb: Runbook = { ...example, fault: [], failback: [], failover: [{ id: 'mystery', action: 'vendor.thing', onFailure: 'abort' }] };
    const [planned] = planRun(rb, 'failover', registry).phases[0]!.steps;
    expect(planned).toMatchObject({ id: 'mystery', mutating: true, maxAttempts: 1, timeoutMs: DEFAULT_STEP_TIMEOUT_MS });
  });

  it('carries onFailure, retries and the compensating step', () => {
    const rb = runbook(
      [
        'failover:',
        '  - id: notify',
        '    action: http',
        '    target: api',
        '    method: POST',
        '    onFailure: continue',
        '    timeout: 10s',
        '    retry: { maximumAttempts: 5 }',
        '    compensate: { id: undo, action: http, target: api, method: DELETE, timeout: 3s }',
      ].join('\n'),
    );
    const [planned] = planRun(rb, 'failover', registry).phases[0]!.steps;
    expect(planned).toEqual({
      id: 'notify',
      action: 'http',
      target: 'api',
      timeoutMs: 10_000,
      maxAttempts: 5,
      retry: expect.objectContaining({ maximumAttempts: 5 }),
      mutating: true,
      onFailure: 'continue',
      compensate: { id: 'undo', action: 'http', target: 'api', timeoutMs: 3000, maxAttempts: 1, mutating: true, onFailure: 'abort', params: { method: 'DELETE' } },
      params: { method: 'POST' },
    });
  });

  it('calls no action while planning', () => {
    const calls: FakeCall[] = [];
    const fake = fakeRegistry(calls);
    const step = (id: string, action: string, params: Record<string, unknown>) => ({ id, action, onFailure: 'abort' as const, ...params });
    const rb: Runbook = {
      ...example,
      fault: [step('f', 'fake.fail', { times: 1, fatal: false })],
      failover: [step('o', 'fake.ok', { value: 'x' }), { id: 'g', parallel: [step('s', 'fake.sleep', { ms: 10 })] }],
      failback: [],
    };
    const plan = planRun(rb, 'drill', fake);
    expect(plan.phases.flatMap((p) => p.steps.map((s) => [s.id, s.mutating]))).toEqual([
      ['f', true],
      ['o', true],
      ['s', false],
    ]);
    expect(calls).toEqual([]);
  });
});

describe('plan is what runs', () => {
  it('agrees with the executor on "mutates" for every action in the registry: a mutating step is journaled durably before it starts', async () => {
    const { StepExecutor } = await import('./executor.js');
    const { fakeContext } = await import('./testing/fake-provider.js');
    for (const def of registry.actions()) {
      const methods = def.name === 'http' ? ['GET', 'HEAD', 'POST', 'DELETE'] : [undefined];
      for (const method of methods) {
        const step = { id: 's', action: def.name, onFailure: 'abort' as const, ...(method ? { method } : {}) };
        const planned = planPhase('failover', [step], registry);
        const durable: boolean[] = [];
        // A registry whose action records whether the executor journaled its start durably, then stops.
        const probe = { ...def, params: def.params.partial(), run: async () => undefined, isDone: undefined };
        const { createRegistry } = await import('../providers/registry.js');
        const single = createRegistry([{ name: 'p', resourceTypes: [], actions: [probe], probes: [] }]);
        const exec = new StepExecutor({
          registry: single,
          context: fakeContext(),
          env: {},
          record: (e, d) => {
            if (e.kind === 'step' && e.status === 'started') durable.push(d);
          },
        });
        await exec.runPhase({ ...planned, steps: planned.steps.map((s) => ({ ...s, target: undefined })) }, new AbortController().signal);
        expect(durable, `${def.name}${method ? ` ${method}` : ''}`).toEqual([planned.steps[0]!.mutating]);
      }
    }
  });
});

describe('stepParams', () => {
  it('keeps the action parameters and drops the common step fields', () => {
    expect(
      stepParams({ id: 'x', action: 'exec', target: 't', timeout: '1s', description: 'd', onFailure: 'abort', retry: undefined, command: ['ls'], shell: false }),
    ).toEqual({ command: ['ls'], shell: false });
  });
});
