import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defaultRegistry } from '../cli/default-registry.js';
import { PROBE_FIELDS, STEP_FIELDS, createRegistry } from './registry.js';
import type { ActionDef, ProbeDef, Provider, ResourceTypeDef } from './types.js';

const action = (name: string, params: z.ZodObject = z.object({})): ActionDef => ({
  name,
  description: name,
  phases: ['failover'],
  target: 'none',
  params,
  mutates: false,
  run: async () => undefined,
});

const probe = (type: string, params: z.ZodObject = z.object({})): ProbeDef => ({
  type,
  description: type,
  targets: 'none',
  params,
  create: () => ({ check: async () => ({ ok: true }), close: async () => {} }),
});

const resourceType = (type: string): ResourceTypeDef => ({ type, description: type, fields: z.object({}) });

const provider = (name: string, parts: Partial<Omit<Provider, 'name'>>): Provider => ({ name, resourceTypes: [], actions: [], probes: [], ...parts });

describe('createRegistry', () => {
  it('finds actions, probes and resource types by name, and lists them in registration order', () => {
    const a = provider('a', { actions: [action('a.one'), action('a.two')], probes: [probe('a.p')], resourceTypes: [resourceType('a.r')] });
    const b = provider('b', { actions: [action('b.one')], resourceTypes: [resourceType('b.r')] });
    const registry = createRegistry([a, b]);
    expect(registry.providers).toEqual([a, b]);
    expect(registry.action('a.two')).toBe(a.actions[1]);
    expect(registry.probe('a.p')).toBe(a.probes[0]);
    expect(registry.resourceType('b.r')).toBe(b.resourceTypes[0]);
    expect(registry.actions().map((x) => x.name)).toEqual(['a.one', 'a.two', 'b.one']);
    expect(registry.probes().map((x) => x.type)).toEqual(['a.p']);
    expect(registry.resourceTypes().map((x) => x.type)).toEqual(['a.r', 'b.r']);
  });

  it('answers undefined for names it does not know, including inherited property names', () => {
    const registry = createRegistry([provider('a', { actions: [action('a.one')] })]);
    for (const name of ['nope', 'toString', 'constructor', '__proto__']) {
      expect(registry.action(name)).toBeUndefined();
      expect(registry.probe(name)).toBeUndefined();
      expect(registry.resourceType(name)).toBeUndefined();
    }
  });

  it('rejects an action registered twice, even by different providers', () => {
    expect(() => createRegistry([provider('a', { actions: [action('same')] }), provider('b', { actions: [action('same')] })])).toThrow('action same registered twice');
  });

  it('rejects a probe type registered twice', () => {
    expect(() => createRegistry([provider('a', { probes: [probe('same'), probe('same')] })])).toThrow('probe same registered twice');
  });

  it('rejects a resource type registered twice', () => {
    expect(() => createRegistry([provider('a', { resourceTypes: [resourceType('same')] }), provider('b', { resourceTypes: [resourceType('same')] })])).toThrow(
      'resource type same registered twice',
    );
  });

  it.each(STEP_FIELDS)('rejects an action parameter named like the step field %s', (field) => {
    expect(() => createRegistry([provider('a', { actions: [action('a.bad', z.object({ ok: z.string(), [field]: z.string() }))] })])).toThrow(
      `action a.bad: parameter "${field}" clashes with a step field`,
    );
  });

  it.each(PROBE_FIELDS)('rejects a probe parameter named like the probe field %s', (field) => {
    expect(() => createRegistry([provider('a', { probes: [probe('a.bad', z.object({ [field]: z.number() }))] })])).toThrow(
      `probe a.bad: parameter "${field}" clashes with a probe field`,
    );
  });

  it('lets an action parameter use a name that is only a probe field, and the other way round', () => {
    const registry = createRegistry([
      provider('a', { actions: [action('a.ok', z.object({ interval: z.string(), endpoints: z.array(z.string()) }))], probes: [probe('a.p', z.object({ retry: z.number(), action: z.string() }))] }),
    ]);
    expect(registry.action('a.ok')).toBeDefined();
    expect(registry.probe('a.p')).toBeDefined();
  });
});

describe('the default registry', () => {
  const registry = defaultRegistry();

  it('holds the built-in actions, probes and resource types', () => {
    expect(registry.actions().map((a) => a.name)).toEqual(
      expect.arrayContaining(['wait', 'exec', 'http', 'tcp', 'lab.kill', 'lab.stop', 'lab.start', 'lab.pause', 'lab.resume', 'postgres.promote', 'postgres.sql', 'postgres.rejoin']),
    );
    expect(registry.probes().map((p) => p.type)).toEqual(expect.arrayContaining(['http', 'tcp', 'exec', 'postgres.writes', 'postgres.query']));
    expect(registry.resourceTypes().map((r) => r.type)).toEqual(expect.arrayContaining(['http', 'tcp', 'lab.postgres', 'postgres', 'aws.s3.bucket']));
  });

  it('is built once and shared', () => {
    expect(defaultRegistry()).toBe(registry);
  });

  it('declares for every action the phases it may run in', () => {
    for (const a of registry.actions()) {
      expect(a.phases.length, a.name).toBeGreaterThan(0);
      expect(a.phases.every((p) => ['fault', 'failover', 'failback'].includes(p)), a.name).toBe(true);
    }
  });

  it('marks the actions that only look as not mutating, and the ones that change things as mutating', () => {
    const mutates = Object.fromEntries(registry.actions().map((a) => [a.name, a.mutates]));
    expect(mutates).toMatchObject({ wait: false, tcp: false, exec: true, 'lab.kill': true, 'postgres.promote': true, 'postgres.rejoin': true });
  });
});
