import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { defaultRegistry } from '../cli/default-registry.js';
import { BackupPolicySchema } from '../backups/policy-schema.js';
import { runbookJsonSchema } from './json-schema.js';

const COMMITTED = 'schema/runbook.schema.json';
const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

type Schema = Record<string, any>;

/**
 * A small JSON Schema (2020-12) checker for the keywords zod emits, enough to tell whether an
 * editor using the committed schema would accept a runbook. Returns the paths that fail.
 */
function check(root: Schema, schema: Schema, value: unknown, path = '$'): string[] {
  const errors: string[] = [];
  const fail = (why: string) => errors.push(`${path}: ${why}`);
  if (schema.$ref) {
    const name = String(schema.$ref).replace(/^#\/\$defs\//, '');
    const target = root.$defs?.[name];
    if (!target) return [`${path}: unresolved $ref ${schema.$ref}`];
    errors.push(...check(root, target, value, path));
  }
  const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
  if (schema.type !== undefined) {
    const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
    const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
    const ok = types.some((t) => t === actual || (t === 'integer' && Number.isInteger(value)) || (t === 'number' && actual === 'number'));
    if (!ok) return [...errors, `${path}: expected ${types.join('|')}, got ${actual}`];
  }
  if ('const' in schema && schema.const !== value) fail(`expected ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.includes(value)) fail(`expected one of ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) fail(`does not match ${schema.pattern}`);
    if (schema.minLength !== undefined && value.length < schema.minLength) fail('too short');
    if (schema.maxLength !== undefined && value.length > schema.maxLength) fail('too long');
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) fail('too small');
    if (schema.maximum !== undefined && value > schema.maximum) fail('too large');
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) fail('too few items');
    if (schema.items) value.forEach((v, i) => errors.push(...check(root, schema.items, v, `${path}[${i}]`)));
  }
  if (isObject) {
    const obj = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in obj)) fail(`missing ${key}`);
    for (const [key, v] of Object.entries(obj)) {
      if (schema.propertyNames) errors.push(...check(root, schema.propertyNames, key, `${path}.${key}(name)`));
      if (schema.properties?.[key]) errors.push(...check(root, schema.properties[key], v, `${path}.${key}`));
      else if (schema.additionalProperties === false) fail(`unknown field ${key}`);
      else if (typeof schema.additionalProperties === 'object') errors.push(...check(root, schema.additionalProperties, v, `${path}.${key}`));
    }
  }
  if (schema.if) {
    const branch = check(root, schema.if, value, path).length === 0 ? schema.then : schema.else;
    if (branch) errors.push(...check(root, branch, value, path));
  }
  if (schema.anyOf && !schema.anyOf.some((s: Schema) => check(root, s, value, path).length === 0)) fail('matches no anyOf branch');
  if (schema.oneOf && schema.oneOf.filter((s: Schema) => check(root, s, value, path).length === 0).length !== 1) fail('does not match exactly one oneOf branch');
  return errors;
}

/** Every `const` in a schema, to see which action names and types it knows. */
function constsOf(v: unknown, out = new Set<unknown>()): Set<unknown> {
  if (Array.isArray(v)) v.forEach((x) => constsOf(x, out));
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === 'const') out.add(x);
      else constsOf(x, out);
    }
  }
  return out;
}

describe('the runbook JSON Schema', () => {
  const committed = JSON.parse(read(COMMITTED)) as Schema;

  it('is committed exactly as the zod schemas generate it', () => {
    expect(read(COMMITTED), `${COMMITTED} is out of date: run \`npm run schema\` and commit the result`).toBe(`${JSON.stringify(runbookJsonSchema(defaultRegistry(), { BackupPolicy: BackupPolicySchema }), null, 2)}\n`);
  });

  it('names itself and describes every top-level field of a runbook', () => {
    expect(committed.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(committed.$id).toBe('https://lifeboat.dev/schema/runbook.schema.json');
    expect(committed.title).toBe('Lifeboat runbook or backup policy');
    const runbook = committed.$defs.Runbook;
    expect(runbook.title).toBe('Lifeboat runbook');
    expect(runbook.type).toBe('object');
    expect(runbook.additionalProperties).toBe(false);
    expect(runbook.required).toEqual(['apiVersion', 'kind', 'name', 'objectives']);
    expect(Object.keys(runbook.properties)).toEqual(
      expect.arrayContaining(['apiVersion', 'kind', 'name', 'objectives', 'lab', 'resources', 'probes', 'recovery', 'fault', 'failover', 'failback', 'schedule']),
    );
  });

  it('resolves every $ref to a shared definition', () => {
    const refs = JSON.stringify(committed).match(/"\$ref":"[^"]*"/g) ?? [];
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of new Set(refs)) {
      const name = ref.slice('"$ref":"#/$defs/'.length, -1);
      expect(committed.$defs[name], ref).toBeDefined();
    }
  });

  it('knows every action, probe type and resource type of the default registry', () => {
    const consts = constsOf(committed);
    const registry = defaultRegistry();
    for (const a of registry.actions()) expect(consts, `action ${a.name}`).toContain(a.name);
    for (const p of registry.probes()) expect(consts, `probe ${p.type}`).toContain(p.type);
    for (const r of registry.resourceTypes()) expect(consts, `resource type ${r.type}`).toContain(r.type);
  });

  it('accepts the example runbook', () => {
    expect(check(committed, committed, parseYaml(read('runbooks/local-postgres-failover.yaml')))).toEqual([]);
  });

  it('rejects what an editor should flag: unknown fields, unknown actions, wrong literal values, bad durations', () => {
    const example = parseYaml(read('runbooks/local-postgres-failover.yaml')) as Record<string, any>;
    expect(check(committed, committed, { ...example, colour: 'blue' })).toContain('$: unknown field colour');
    expect(check(committed, committed, { ...example, apiVersion: 'lifeboat/v2' })).toContain('$.apiVersion: expected "lifeboat/v1"');
    const { apiVersion: _, ...withoutApiVersion } = example;
    expect(check(committed, committed, withoutApiVersion)).toContain('$: missing apiVersion');
    expect(check(committed, committed, { ...example, objectives: { rto: 'soon' } })).toEqual([expect.stringMatching(/^\$\.objectives\.rto: does not match/)]);
    expect(check(committed, committed, { ...example, failover: [{ id: 'x', action: 'postgres.promot', target: 'replica' }] })).toContain(
      '$.failover[0]: matches no anyOf branch',
    );
  });

  it('checks a file of kind BackupPolicy against the policy schema, and anything else as a runbook', () => {
    const policy = parseYaml(read('runbooks/local-backup-policy.yaml')) as Record<string, any>;
    expect(check(committed, committed, policy)).toEqual([]);
    expect(check(committed, committed, { ...policy, copies: 3 })).toContain('$: unknown field copies');
    expect(check(committed, committed, { ...policy, sources: [{ type: 'aws.s3' }] })).toContain('$.sources[0]: does not match exactly one oneOf branch');
    expect(check(committed, committed, { ...policy, kind: 'Runbook' })).toContain('$: missing objectives');
  });
});
