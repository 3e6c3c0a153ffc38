import { describe, expect, it } from 'vitest';
import { MAX_RUNBOOK_BYTES } from './load.js';
import { MAX_NESTING, TOO_DEEP } from './nesting.js';
import { pathsAndMessages, problemsIn } from './testing/problems.js';

const HEAD = 'apiVersion: lifeboat/v1\nkind: Runbook\nname: deep\nobjectives: { rto: 30s }\nprobes: { up: { type: tcp, port: 80 } }\nrecovery: { all: [up] }\n';

/** A runbook whose `labels` hold lists nested `depth` deep (the runbook itself is level 1, labels level 2). */
const nestedLabels = (depth: number, close = true) => `${HEAD}labels: ${'['.repeat(depth - 1)}${close ? ']'.repeat(depth - 1) : ''}\n`;

describe('deeply nested documents', () => {
  it(`says "${TOO_DEEP}"`, () => {
    expect(TOO_DEEP).toBe('nested too deeply (more than 64 levels of mappings and lists)');
    expect(MAX_NESTING).toBe(64);
  });

  it('leaves a document nested exactly as deep as allowed to the schema', () => {
    expect(pathsAndMessages(nestedLabels(MAX_NESTING))).toEqual([{ path: 'labels', message: 'expected record, got a list' }]);
  });

  it('rejects one level more, at the list that is too deep', () => {
    // labels is level 2, so the 64th `[` opens level 65; it sits at column 9 + 63.
    expect(problemsIn(nestedLabels(MAX_NESTING + 1))).toEqual([{ file: 'rb.yaml', line: 7, column: 72, path: '', message: TOO_DEEP }]);
  });

  it.each([
    // Level 65 opens with the 64th bracket (column 9 + 63), the 64th `{a: ` (9 + 63 × 4), the
    // 64th nested key (line 8 + 63, after 64 spaces) or the 64th dash (3 + 63 × 2).
    ['10,000 open brackets', `${HEAD}labels: ${'['.repeat(10_000)}`, 7, 72],
    ['10,000 nested lists', `${HEAD}labels: ${'['.repeat(10_000)}${']'.repeat(10_000)}`, 7, 72],
    ['a 5,000-level flow mapping', `${HEAD}labels: ${'{a: '.repeat(5000)}1${'}'.repeat(5000)}`, 7, 261],
    ['a 2,000-level block mapping', `${HEAD}labels:\n${Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i + 1)}a:`).join('\n')} 1\n`, 71, 65],
    ['a 2,000-level block list on one line', `${HEAD}labels:\n  ${'- '.repeat(2000)}x\n`, 8, 129],
  ])('reports %s as one problem where level 65 begins, not as a stack overflow', (_, text, line, column) => {
    expect(problemsIn(text)).toEqual([{ file: 'rb.yaml', line, column, path: '', message: TOO_DEEP }]);
  });

  it('reports a 5,000-level JSON document at line 1, where level 65 begins', () => {
    const json = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    expect(problemsIn(json, 'rb.json')).toEqual([{ file: 'rb.json', line: 1, column: 64 * 5 + 1, path: '', message: TOO_DEEP }]);
  });

  it('refuses the largest file it would read, made of brackets, at once', () => {
    const started = performance.now();
    expect(pathsAndMessages('['.repeat(MAX_RUNBOOK_BYTES))).toEqual([{ path: '', message: TOO_DEEP }]);
    // Lexing stops at the first bracket too deep: milliseconds, with a wide margin for a busy machine.
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('rejects nesting built from aliases, which the text does not show', () => {
    // Three levels of 30 lists each: no more than 32 levels written anywhere, 92 once read.
    const lists = (inner: string) => `${'['.repeat(30)}${inner}${']'.repeat(30)}`;
    const text = `${HEAD}labels:\n  a: &a ${lists('x')}\n  b: &b ${lists('*a')}\n  c: ${lists('*b')}\n`;
    expect(pathsAndMessages(text)).toEqual([{ path: '', message: TOO_DEEP }]);
  });

  it.each([
    ['a list', 'labels: &a [*a]', 'labels[0]'],
    ['a mapping', 'labels: &a { b: *a }', 'labels.b'],
  ])('rejects an alias inside %s it refers to, instead of recursing forever', (_, line, path) => {
    expect(pathsAndMessages(`${HEAD}${line}\n`)).toEqual([{ path, message: 'an alias refers to a node that contains it (a runbook cannot be circular)' }]);
  });
});
