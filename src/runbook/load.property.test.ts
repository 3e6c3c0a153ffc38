import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { InvalidRunbookError, formatProblem } from '../errors.js';
import { parseRunbook } from './load.js';
import { defaultRegistry } from '../cli/default-registry.js';

const EXAMPLE_TEXT = readFileSync(new URL('../../runbooks/local-postgres-failover.yaml', import.meta.url), 'utf8');
const EXAMPLE = parseYaml(EXAMPLE_TEXT) as unknown;

type Path = Array<string | number>;

/** Every path in a value, the root included, so a mutation can pick any node. */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...prefix, k]));
  return out;
}
const EXAMPLE_PATHS = pathsOf(EXAMPLE);

/** Values that get past the first checks and reach the rules: names, durations, references, wrong types. */
const plausible = fc.constantFrom<unknown>(
  'primary',
  'replica',
  'writes',
  'ready',
  'nowhere',
  'lab.kill',
  'postgres.promote',
  'postgres.writes',
  'wait',
  'exec',
  'http',
  'lab.postgres',
  'postgres',
  '0s',
  '0ms',
  '5s',
  '1m30s',
  '-1s',
  'soon',
  '${env:HOME}',
  '${steps.promote.ok}',
  '${nope}',
  '${',
  'STEP_TIMEOUT',
  'NOT_A_CODE',
  'SIGKILL',
  '__proto__',
  'constructor',
  'toString',
  0,
  -1,
  1.5,
  1e308,
  true,
  null,
  [],
  {},
  [null],
  { parallel: [] },
  { parallel: [{ id: 'x', action: 'wait', duration: '1s' }] },
  { id: 'kill-primary', action: 'lab.kill', target: 'primary' },
  { kind: 'postgres', replicaOf: 'replica' },
);

const anyValue = fc.oneof(plausible, fc.jsonValue({ maxDepth: 3 }), fc.anything({ maxDepth: 2, withNullPrototype: true, withObjectString: true }));
const anyKey = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'parallel', 'action', 'type', 'id', 'retry', 'compensate', 'replicaOf'), fc.string({ maxLength: 8 }));

type Mutation = { at: number; op: 'delete' | 'replace' | 'insert' | 'wrap'; value: unknown; key: string };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('delete', 'replace', 'insert', 'wrap'),
  value: anyValue,
  key: anyKey,
});

function copyOf(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return value;
  }
}

/** Applies mutations to a deep copy of the example runbook. */
function mutate(mutations: Mutation[]): unknown {
  let root: unknown = structuredClone(EXAMPLE);
  for (const mutation of mutations) {
    // A fresh copy of the value: the constants above are shared objects, and inserting one into
    // itself (across mutations or runs) would make a cycle no document can have.
    const m = { ...mutation, value: copyOf(mutation.value) };
    const paths = pathsOf(root);
    const path = paths[m.at % paths.length] ?? EXAMPLE_PATHS[0]!;
    if (path.length === 0) {
      if (m.op === 'replace') root = m.value;
      else if (m.op === 'wrap') root = [root];
      else if (m.op === 'insert' && root !== null && typeof root === 'object') Object.defineProperty(root, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
      continue;
    }
    const parent = path.slice(0, -1).reduce<any>((v, k) => v?.[k], root);
    const last = path[path.length - 1]!;
    if (parent === null || typeof parent !== 'object') continue;
    if (m.op === 'delete') {
      if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
      else delete parent[last];
    } else if (m.op === 'replace') parent[last] = m.value;
    else if (m.op === 'wrap') parent[last] = [parent[last]];
    else {
      const target = parent[last];
      if (Array.isArray(target)) target.push(m.value);
      else if (target !== null && typeof target === 'object') Object.defineProperty(target, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
      else parent[last] = { [m.key]: m.value };
    }
  }
  return root;
}

/** Serialises a value as YAML or JSON; values neither can write become text some other way. */
function serialise(value: unknown, asJson: boolean): string {
  try {
    return asJson ? (JSON.stringify(value, null, 2) ?? 'null') : stringifyYaml(value);
  } catch {
    return String(value);
  }
}

const documents: fc.Arbitrary<{ kind: string; text: string }> = fc.oneof(
  // Random JSON and YAML values.
  fc.tuple(fc.jsonValue({ maxDepth: 4 }), fc.boolean()).map(([v, asJson]) => ({ kind: 'random value', text: serialise(v, asJson) })),
  // The example with keys deleted, values replaced by other types, unknown keys inserted.
  fc.tuple(fc.array(mutation, { minLength: 1, maxLength: 5 }), fc.boolean()).map(([ms, asJson]) => ({ kind: 'mutated example', text: serialise(mutate(ms), asJson) })),
  // The example text cut off anywhere.
  fc.nat({ max: EXAMPLE_TEXT.length }).map((n) => ({ kind: 'truncated', text: EXAMPLE_TEXT.slice(0, n) })),
  // The example text with random characters spliced in.
  fc
    .tuple(fc.nat({ max: EXAMPLE_TEXT.length }), fc.nat({ max: 20 }), fc.string({ unit: 'binary', maxLength: 12 }))
    .map(([at, cut, s]) => ({ kind: 'spliced', text: EXAMPLE_TEXT.slice(0, at) + s + EXAMPLE_TEXT.slice(at + cut) })),
  // YAML punctuation soup: indicators, anchors, tags, flow collections, document markers.
  fc
    .array(fc.constantFrom('a', ': ', '- ', '\n', '  ', '[', ']', '{', '}', ',', '&x ', '*x', '!!binary ', '!!set ', '!!str ', '? ', '|', '>', '---', '...', '#', '"', "'", '%YAML 1.2', '<<: ', '\t', '\uFEFF'), { maxLength: 40 })
    .map((parts) => ({ kind: 'punctuation', text: parts.join('') })),
  // Arbitrary strings and bytes.
  fc.string({ unit: 'binary', maxLength: 200 }).map((text) => ({ kind: 'random string', text })),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ kind: 'random bytes', text: Buffer.from(bytes).toString('utf8') })),
);

describe('parseRunbook on generated and mutated documents', () => {
  it(
    'throws nothing but InvalidRunbookError, and every problem it reports has a position and a message',
    () => {
      const kinds = new Map<string, number>();
      fc.assert(
        fc.property(documents, ({ kind, text }) => {
          kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
          try {
            parseRunbook(text, 'generated.yaml', defaultRegistry());
          } catch (err) {
            if (!(err instanceof InvalidRunbookError)) throw err;
            expect(err.problems.length).toBeGreaterThan(0);
            const lines = text.split(/\r\n|\r|\n/).length;
            for (const p of err.problems) {
              expect(p.file).toBe('generated.yaml');
              expect(Number.isInteger(p.line) && p.line >= 1 && p.line <= lines + 1).toBe(true);
              expect(Number.isInteger(p.column) && p.column >= 1).toBe(true);
              expect(p.message.trim()).not.toBe('');
            }
            expect(err.message).toBe(err.problems.map(formatProblem).join('\n'));
          }
        }),
        { numRuns: 10_000 },
      );
      // Every kind of document was tried a fair number of times.
      expect([...kinds.keys()].sort()).toEqual(['mutated example', 'punctuation', 'random bytes', 'random string', 'random value', 'spliced', 'truncated']);
      for (const n of kinds.values()) expect(n).toBeGreaterThan(1000);
    },
    120_000,
  );

  it(
    'accepts the example however its mapping keys are reordered',
    () => {
      const example = EXAMPLE as Record<string, unknown>;
      fc.assert(
        fc.property(fc.shuffledSubarray(Object.keys(example), { minLength: Object.keys(example).length }), (keys) => {
          const text = stringifyYaml(Object.fromEntries(keys.map((k) => [k, example[k]])));
          expect(parseRunbook(text, 'shuffled.yaml', defaultRegistry()).name).toBe('local-postgres-failover');
        }),
        { numRuns: 100 },
      );
    },
    120_000,
  );
});
