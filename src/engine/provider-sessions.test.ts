import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRegistry } from '../providers/registry.js';
import type { Provider } from '../providers/types.js';
import { parseRunbook } from '../runbook/load.js';
import { runDrill } from './run-drill.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const stateDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'lifeboat-sessions-'));
  dirs.push(d);
  return d;
};

/** A provider whose per-run state is a list of what happened, so the test can see the lifecycle. */
function lifecycleProvider(log: string[]): Provider {
  return {
    name: 'life',
    resourceTypes: [{ type: 'life.thing', description: 'a thing', fields: z.object({ broken: z.boolean().default(false) }) }],
    actions: [
      {
        name: 'life.touch',
        description: 'touches the thing',
        phases: ['fault', 'failover', 'failback'],
        target: 'required',
        params: z.object({}),
        mutates: true,
        async run(ctx) {
          log.push(`run ${ctx.stepId} with session ${String((ctx.session as { id: string } | undefined)?.id)}`);
          return undefined;
        },
      },
    ],
    probes: [
      {
        type: 'life.up',
        description: 'always healthy',
        targets: 'none',
        params: z.object({}),
        create: (ctx) => {
          log.push(`probe with session ${String((ctx.session as { id: string } | undefined)?.id)}`);
          return { check: async () => ({ ok: true }), close: async () => {} };
        },
      },
    ],
    async open() {
      log.push('open');
      return { state: { id: 'S1' }, close: async () => void log.push('close') };
    },
    async preflight(resources, ctx) {
      log.push(`preflight ${resources.map((r) => r.name).join(',')} with session ${String((ctx.session as { id: string }).id)}`);
      return resources.filter((r) => r.spec.broken).map((r) => ({ resource: r.name, message: 'is broken' }));
    },
  };
}

const runbook = (broken: boolean) =>
  [
    'apiVersion: lifeboat/v1',
    'kind: Runbook',
    'name: lifecycle',
    'objectives: { rto: 10s }',
    'resources:',
    `  thing: { type: life.thing, broken: ${broken} }`,
    'probes:',
    '  up: { type: life.up, interval: 10ms }',
    'recovery: { all: [up] }',
    'fault:',
    '  - { id: f, action: life.touch, target: thing }',
    'failover:',
    '  - { id: o, action: life.touch, target: thing }',
  ].join('\n');

describe('provider lifecycle in a run', () => {
  it('opens the provider, preflights its resources, gives its actions the session, and closes it at the end', async () => {
    const log: string[] = [];
    const registry = createRegistry([lifecycleProvider(log)]);
    const loaded = { file: 'rb.yaml', text: runbook(false), runbook: parseRunbook(runbook(false), 'rb.yaml', registry) };
    const result = await runDrill({ loaded, registry, stateDir: stateDir(), log: pino({ level: 'silent' }) });
    expect(result.status).toBe('completed');
    expect(log).toEqual(['open', 'preflight thing with session S1', 'probe with session S1', 'run f with session S1', 'run o with session S1', 'close']);
  });

  it('stops a drill whose preflight finds a problem before any step runs, and still closes the session', async () => {
    const log: string[] = [];
    const registry = createRegistry([lifecycleProvider(log)]);
    const loaded = { file: 'rb.yaml', text: runbook(true), runbook: parseRunbook(runbook(true), 'rb.yaml', registry) };
    const result = await runDrill({ loaded, registry, stateDir: stateDir(), log: pino({ level: 'silent' }) });
    expect(result.status).toBe('failed');
    expect(result.error).toBe('preflight: thing: is broken');
    expect(result.steps).toEqual([]);
    expect(log).toEqual(['open', 'preflight thing with session S1', 'close']);
  });

  it('in a real failover reports preflight problems but goes on (the primary is expected to be down)', async () => {
    const log: string[] = [];
    const registry = createRegistry([lifecycleProvider(log)]);
    const loaded = { file: 'rb.yaml', text: runbook(true), runbook: parseRunbook(runbook(true), 'rb.yaml', registry) };
    const lines: string[] = [];
    const result = await runDrill({ loaded, registry, mode: 'failover', stateDir: stateDir(), log: pino({ level: 'silent' }), progress: (l) => lines.push(l) });
    expect(result.status).toBe('completed');
    expect(lines).toContain('preflight: thing: is broken');
    expect(log).toEqual(['open', 'preflight thing with session S1', 'probe with session S1', 'run o with session S1', 'close']);
  });
});
