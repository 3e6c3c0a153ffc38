import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.js';
import { parseRunbook } from '../runbook/load.js';
import { envRefs, referencedEnvValues, resolveRefs } from './interpolate.js';
import { defaultRegistry } from '../cli/default-registry.js';

/** The InvalidInputError message resolveRefs throws, or a failure when it does not throw one. */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidInputError) return err.message;
    throw err;
  }
  throw new Error('expected an InvalidInputError');
}

describe('resolveRefs', () => {
  const env = { PGPASSWORD: 's3cret', HOST: 'db.internal', EMPTY: '' };

  it('replaces ${env:NAME} with the value of the variable', () => {
    expect(resolveRefs('postgres://app:${env:PGPASSWORD}@${env:HOST}/app', { env }, 'resource db')).toBe('postgres://app:s3cret@db.internal/app');
  });

  it('replaces a variable set to the empty string with nothing', () => {
    expect(resolveRefs('[${env:EMPTY}]', { env }, 'x')).toBe('[]');
  });

  it('refuses an unset variable, saying where it was needed', () => {
    expect(errorOf(() => resolveRefs({ dsn: '${env:NOPE}' }, { env }, 'resource db'))).toBe('resource db: environment variable NOPE is not set');
  });

  it('replaces ${steps.<id>.<field>} with the output of an earlier step', () => {
    const outputs = { promote: { alreadyPrimary: false, host: 'replica' }, sql: { rowCount: 2, rows: [{ id: 7 }, { id: 8 }] } };
    expect(resolveRefs('host=${steps.promote.host}', { env, outputs }, 'step s')).toBe('host=replica');
    expect(resolveRefs('${steps.sql.rows.1.id}', { env, outputs }, 'step s')).toBe('8');
  });

  it('writes non-string outputs as JSON', () => {
    const outputs = { a: { n: 3, flag: false, list: [1, 2], obj: { k: 'v' }, nil: null } };
    expect(resolveRefs('${steps.a.n} ${steps.a.flag} ${steps.a.list} ${steps.a.obj} ${steps.a.nil}', { env, outputs }, 's')).toBe('3 false [1,2] {"k":"v"} null');
  });

  it('refuses a reference to a step that has produced no output', () => {
    expect(errorOf(() => resolveRefs('${steps.later.value}', { env, outputs: {} }, 'step now'))).toBe(
      'step now: step "later" has no output yet (it must complete before this step)',
    );
    expect(errorOf(() => resolveRefs('${steps.later.value}', { env }, 'step now'))).toMatch(/step "later" has no output yet/);
  });

  it('refuses a reference to an output field that does not exist', () => {
    const outputs = { a: { rows: [] } };
    expect(errorOf(() => resolveRefs('${steps.a.missing}', { env, outputs }, 'step b'))).toBe('step b: step output a.missing does not exist');
    expect(errorOf(() => resolveRefs('${steps.a.rows.0.id}', { env, outputs }, 'step b'))).toBe('step b: step output a.rows.0.id does not exist');
  });

  it('resolves references to a step whose id contains dots or hyphens, as validation allows', () => {
    const outputs = { 'db.promote': { ok: true }, 'db.re-join': { method: 'rewind' } };
    expect(resolveRefs('${steps.db.promote.ok} ${steps.db.re-join.method}', { env, outputs }, 's')).toBe('true rewind');
  });

  it('does not resolve names inherited from Object.prototype', () => {
    expect(errorOf(() => resolveRefs('${env:toString}', { env }, 'x'))).toBe('x: environment variable toString is not set');
    expect(errorOf(() => resolveRefs('${steps.constructor.name}', { env, outputs: {} }, 'x'))).toMatch(/step "constructor" has no output yet/);
    expect(errorOf(() => resolveRefs('${steps.a.constructor}', { env, outputs: { a: {} } }, 'x'))).toBe('x: step output a.constructor does not exist');
  });

  it('reads variables from process.env', () => {
    process.env.LIFEBOAT_INTERPOLATE_TEST = 'from-process';
    try {
      expect(resolveRefs('${env:LIFEBOAT_INTERPOLATE_TEST}', { env: process.env }, 'x')).toBe('from-process');
    } finally {
      delete process.env.LIFEBOAT_INTERPOLATE_TEST;
    }
  });

  it('resolves every string of a nested value and copies it, leaving the input as it was', () => {
    const input = { url: 'http://${env:HOST}/', headers: { auth: 'Bearer ${env:PGPASSWORD}' }, args: ['--host', '${env:HOST}'], port: 5432, on: true, none: null };
    const output = resolveRefs(input, { env }, 'x');
    expect(output).toEqual({ url: 'http://db.internal/', headers: { auth: 'Bearer s3cret' }, args: ['--host', 'db.internal'], port: 5432, on: true, none: null });
    expect(input.url).toBe('http://${env:HOST}/');
    expect(input.args[1]).toBe('${env:HOST}');
    expect(output.headers).not.toBe(input.headers);
  });

  it('leaves text that is not a reference alone', () => {
    expect(resolveRefs('cost: $5 ${notaref} ${', { env }, 'x')).toBe('cost: $5 ${notaref} ${');
  });

  it('resolves every reference the runbook validation accepts', () => {
    // Whatever `lifeboat validate` lets through must resolve at run time, not stay literal.
    const refs = ['${env:HOST}', '${steps.a.b}', '${steps.a.b.c}', '${steps.a-b.c_d}', '${steps.a.b.0}', '${steps.db.promote.ok}', '${steps.db.re-join.method}'];
    const outputs = { a: { b: { c: 'x', 0: 'y' } }, 'a-b': { c_d: 'z' }, 'db.promote': { ok: 1 }, 'db.re-join': { method: 'm' } };
    // Steps whose outputs the references name, then a later step that uses the reference.
    const earlier = ['a', 'a-b', 'db.promote', 'db.re-join'].map((id) => `  - { id: ${id}, action: wait, duration: 1ms }`).join('\n');
    for (const ref of refs) {
      const text = `apiVersion: lifeboat/v1\nkind: Runbook\nname: r\nobjectives: { rpo: 1s }\nresources: { db: { type: postgres, dsn: "postgres://h/d" } }\nprobes: { w: { type: postgres.writes, endpoints: [db] } }\nfailover:\n${earlier}\n  - { id: use, action: exec, command: [echo, "${ref}"] }\n`;
      expect(() => parseRunbook(text, 'r.yaml', defaultRegistry()), ref).not.toThrow();
      expect(resolveRefs(ref, { env, outputs }, 'x'), ref).not.toContain('${');
    }
  });
});

describe('envRefs', () => {
  it('lists each environment variable a value refers to, once, wherever it sits', () => {
    expect(envRefs({ a: '${env:A} and ${env:B}', list: ['${env:A}', { deep: 'x${env:C}' }], step: '${steps.s.v}', n: 1 }).sort()).toEqual(['A', 'B', 'C']);
  });

  it('lists nothing for a value without references', () => {
    expect(envRefs({ a: 'plain', b: ['${notaref}'], c: null })).toEqual([]);
  });
});

describe('referencedEnvValues', () => {
  it('returns the values of the set variables a value refers to, once each, for masking', () => {
    const value = { dsn: 'postgres://app:${env:PGPASSWORD}@${env:HOST}/x', again: ['${env:PGPASSWORD}', '${env:UNSET}', '${steps.a.b}'] };
    expect(referencedEnvValues(value, { PGPASSWORD: 's3cret', HOST: 'db.internal', OTHER: 'not referenced' }).sort()).toStrictEqual(['db.internal', 's3cret']);
  });
});
