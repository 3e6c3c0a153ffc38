import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidRunbookError, formatProblem, type RunbookProblem } from '../errors.js';
import { MAX_RUNBOOK_BYTES, loadRunbook, parseRunbook } from './load.js';
import { defaultRegistry } from '../cli/default-registry.js';

const EXAMPLE = 'runbooks/local-postgres-failover.yaml';
const MANY_MISTAKES = 'test/fixtures/many-mistakes.yaml';

/** A small valid runbook; tests change one line and know exactly where each field sits. */
const BASE_LINES = [
  'apiVersion: lifeboat/v1', // 1
  'kind: Runbook', // 2
  'name: small', // 3
  'objectives:', // 4
  '  rto: 30s', // 5
  'resources:', // 6
  '  web: { type: http, url: "http://127.0.0.1:8080" }', // 7
  '  db: { type: tcp, port: 5432 }', // 8
  'probes:', // 9
  '  up: { type: http, target: web }', // 10
  'recovery:', // 11
  '  all: [up]', // 12
  'fault:', // 13
  '  - { id: pause, action: wait, duration: 1s }', // 14
  'failover:', // 15
  '  - { id: check, action: tcp, target: db }', // 16
  'failback: []', // 17
];

/** BASE with some lines (1-based) replaced; a replacement may span several lines. */
function base(replace: Record<number, string> = {}): string {
  return `${BASE_LINES.map((l, i) => replace[i + 1] ?? l).join('\n')}\n`;
}

/** The problems parseRunbook reports; fails the test when the text is accepted or another error is thrown. */
function problemsIn(text: string, file = 'rb.yaml'): RunbookProblem[] {
  try {
    parseRunbook(text, file, defaultRegistry());
  } catch (err) {
    if (err instanceof InvalidRunbookError) return err.problems;
    throw new Error(`expected InvalidRunbookError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected the runbook to be rejected, but it was accepted');
}

const at = (line: number, column: number, path: string, message: string | RegExp) => ({
  file: 'rb.yaml',
  line,
  column,
  path,
  message: typeof message === 'string' ? expect.stringContaining(message) : expect.stringMatching(message),
});

/** The expected problem at the first occurrence of `needle` on a line of `text`, `skip` columns further. */
function atText(text: string, line: number, needle: string, path: string, message: string | RegExp, skip = 0) {
  const column = text.split('\n')[line - 1]!.indexOf(needle) + 1;
  if (column === 0) throw new Error(`"${needle}" is not on line ${line}`);
  return at(line, column + skip, path, message);
}

describe('parseRunbook', () => {
  it('accepts the small runbook the other tests start from', () => {
    const rb = parseRunbook(base(), 'rb.yaml', defaultRegistry());
    expect(rb.name).toBe('small');
    expect(rb.failover).toHaveLength(1);
  });

  it('loads the example runbook with defaults applied', async () => {
    const rb = parseRunbook(await readFile(EXAMPLE, 'utf8'), EXAMPLE, defaultRegistry());
    expect(rb.name).toBe('local-postgres-failover');
    expect(rb.lab?.driver).toBe('process');
    expect(Object.keys(rb.lab?.services ?? {})).toEqual(['primary', 'replica']);
    expect(rb.fault.map((s) => ('id' in s ? s.id : undefined))).toEqual(['kill-primary']);
    expect(rb.failover[0]).toMatchObject({
      id: 'promote',
      action: 'postgres.promote',
      target: 'replica',
      onFailure: 'abort',
      retry: { maximumAttempts: 3, initialInterval: '200ms', backoffCoefficient: 2, nonRetryableErrorTypes: [] },
    });
    expect(rb.recovery).toEqual({ all: ['writes', 'ready'], stableFor: '500ms', timeout: '60s' });
  });

  describe('a runbook with many independent mistakes', () => {
    let problems: RunbookProblem[];
    let message: string;
    beforeAll(async () => {
      try {
        parseRunbook(await readFile(MANY_MISTAKES, 'utf8'), MANY_MISTAKES, defaultRegistry());
      } catch (err) {
        if (!(err instanceof InvalidRunbookError)) throw err;
        problems = err.problems;
        message = err.message;
      }
    });

    it('reports every mistake, each at the line and column of the offending value, in file order', () => {
      // Positions checked by hand against test/fixtures/many-mistakes.yaml.
      expect(problems.map((p) => `${p.line}:${p.column} ${p.path}`)).toEqual([
        '5:8 objectives.rto', // rto: 0s
        '6:8 objectives.rpo', // rpo: soon
        '10:43 lab.services.replica.replicaOf', // replicaOf: primry
        '13:52 resources.replica.colour', // the unknown key itself
        '15:57 probes.writes.endpoints[1]', // endpoints: [primary, missing]
        '16:27 recovery.all[1]', // all: [writes, nope]
        '18:60 fault[0].signal', // signal: SIGWHAT
        '19:11 fault[1].id', // second "kill"
        '19:25 fault[1].action', // postgres.promote under fault
        '21:28 failover[0].action', // postgres.promot
        '22:77 failover[1].retry.maximumAttempts', // maximumAttempts: 0
        '22:118 failover[1].retry.maximumInterval', // 1s < initialInterval 2s
        '24:9 failover[2].parallel[0].duration', // wait without duration: points at the step
        '25:9 failover[2].parallel[1].id', // step without id: points at the step
        '25:34 failover[2].parallel[1].command', // string command without shell: true
      ]);
      expect(problems.every((p) => p.file === MANY_MISTAKES)).toBe(true);
    });

    it('says what is wrong with each field in words', () => {
      const byPath = Object.fromEntries(problems.map((p) => [p.path, p.message]));
      expect(byPath).toEqual({
        'objectives.rto': 'must be greater than zero',
        'objectives.rpo': 'expected a duration such as 250ms, 30s, 5m or 2h',
        'lab.services.replica.replicaOf': 'no lab service named "primry"',
        'resources.replica.colour': 'unknown field "colour"',
        'probes.writes.endpoints[1]': 'no resource named "missing" (resources: primary, replica)',
        'recovery.all[1]': 'no probe named "nope" (probes: writes)',
        'fault[0].signal': 'expected "SIGKILL" | "SIGTERM" | "SIGINT" | "SIGQUIT", got "SIGWHAT"',
        'fault[1].id': 'duplicate step id "kill" (first used at fault[0])',
        'fault[1].action': 'action postgres.promote is not allowed under fault (allowed in: failover, failback)',
        'failover[0].action': expect.stringMatching(/^unknown action "postgres\.promot"; expected one of: .*\bpostgres\.promote\b/),
        'failover[1].retry.maximumAttempts': expect.stringMatching(/>=\s*1/),
        'failover[1].retry.maximumInterval': 'must not be shorter than initialInterval',
        'failover[2].parallel[0].duration': 'required field is missing (expected string)',
        'failover[2].parallel[1].id': 'required field is missing (expected string)',
        'failover[2].parallel[1].command': 'a string command needs shell: true (or give an argv array)',
      });
    });

    it('puts one "file:line:col: path: message" line per problem in the error message', () => {
      const lines = message.split('\n');
      expect(lines).toEqual(problems.map(formatProblem));
      expect(lines[0]).toBe('test/fixtures/many-mistakes.yaml:5:8: objectives.rto: must be greater than zero');
      for (const line of lines) expect(line).toMatch(/^test\/fixtures\/many-mistakes\.yaml:\d+:\d+: \S+: \S.*$/);
    });
  });

  describe('text that is not a YAML mapping', () => {
    it.each([
      ['an empty file', ''],
      ['a whitespace-only file', '  \n\t\n   \r\n'],
    ])('rejects %s, saying it is empty', (_, text) => {
      expect(problemsIn(text)).toEqual([at(1, 1, '', /^file is empty; a runbook starts with `apiVersion: lifeboat\/v1`/)]);
    });

    it('rejects binary garbage with NUL bytes as not a text file', () => {
      const garbage = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0xff, 0xfe, 0x0a, 0x00]).toString('latin1');
      expect(problemsIn(garbage)).toEqual([at(1, 1, '', 'not a text file (contains NUL bytes)')]);
    });

    it('rejects a file with only comments as having no document', () => {
      expect(problemsIn('# nothing here yet\n')).toEqual([at(1, 1, '', 'file has no YAML document')]);
    });

    it.each([
      ['a list', '- apiVersion: lifeboat/v1\n- kind: Runbook\n'],
      ['a scalar', 'hello\n'],
      ['null', '~\n'],
      ['a number', '42\n'],
      ['a !!binary value', '!!binary aGVsbG8=\n'],
      ['a !!set', '!!set { a, b }\n'],
      ['a !!timestamp', '!!timestamp 2001-12-14\n'],
    ])('rejects a top-level %s: a runbook must be a mapping', (_, text) => {
      expect(problemsIn(text)).toEqual([at(1, 1, '', 'a runbook must be a mapping')]);
    });

    it('reports a YAML syntax error at the line where the parser finds it', () => {
      const problems = problemsIn(base({ 3: 'name: [unclosed' }));
      expect(problems.length).toBeGreaterThanOrEqual(1);
      expect(problems[0]).toEqual(at(4, 1, '', 'Flow sequence in block collection must be sufficiently indented and end with a ]'));
    });

    it('reports a tab used as indentation at its line', () => {
      expect(problemsIn(base({ 5: '\trto: 30s' }))).toContainEqual(at(5, 1, '', 'Tabs are not allowed as indentation'));
    });

    it('reports a duplicate key at the second occurrence', () => {
      expect(problemsIn(base({ 3: 'name: small\nname: again' }))).toEqual([at(4, 1, '', 'Map keys must be unique')]);
    });

    it('rejects a second YAML document, pointing at where it starts', () => {
      expect(problemsIn(`${base()}---\nname: other\n`)).toEqual([at(18, 1, '', 'only one YAML document per runbook file')]);
    });

    it('rejects an alias to an anchor that does not exist', () => {
      expect(problemsIn(base({ 3: 'name: *nowhere' }))).toEqual([at(1, 1, '', /alias/i)]);
    });

    it('refuses alias bombs instead of expanding them', () => {
      const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 10 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
      expect(problemsIn(bomb)).toEqual([at(1, 1, '', /^cannot read document: .*alias/i)]);
    });

    it('accepts a byte-order mark before the document', () => {
      expect(parseRunbook(`\uFEFF${base()}`, 'rb.yaml', defaultRegistry()).name).toBe('small');
    });
  });

  describe('the schema', () => {
    it('reports each missing required top-level field at the start of the file', () => {
      expect(problemsIn('description: nothing else\n')).toEqual([
        at(1, 1, 'apiVersion', 'required field is missing (expected "lifeboat/v1")'),
        at(1, 1, 'kind', 'required field is missing (expected "Runbook")'),
        at(1, 1, 'name', 'required field is missing (expected string)'),
        at(1, 1, 'objectives', 'required field is missing (expected object)'),
      ]);
    });

    it('rejects a wrong apiVersion, showing the value found', () => {
      expect(problemsIn(base({ 1: 'apiVersion: lifeboat/v2' }))).toEqual([at(1, 13, 'apiVersion', 'expected "lifeboat/v1", got "lifeboat/v2"')]);
    });

    it('points at an unknown top-level field by its key', () => {
      expect(problemsIn(base({ 3: 'name: small\ncolour: blue' }))).toEqual([at(4, 1, 'colour', 'unknown field "colour"')]);
    });

    it('reports a value of the wrong type with what it got', () => {
      expect(problemsIn(base({ 3: 'name: [a, b]' }))).toEqual([at(3, 7, 'name', 'expected string, got a list')]);
    });

    it('names the actions there are when an action is unknown', () => {
      const text = base({ 16: '  - { id: check, action: tcp-check, target: db }' });
      const [p, ...rest] = problemsIn(text);
      expect(rest).toEqual([]);
      expect(p).toEqual(atText(text, 16, 'tcp-check', 'failover[0].action', 'unknown action "tcp-check"; expected one of: '));
      const listed = p!.message.split('expected one of: ')[1]!.split(', ');
      expect(listed).toEqual(expect.arrayContaining(['wait', 'exec', 'http', 'tcp', 'lab.kill', 'postgres.promote']));
    });

    it('tells a step without an action that its action is missing (not that it is a bad parallel group)', () => {
      const text = base({ 16: '  - { id: check, target: db }' });
      expect(problemsIn(text)).toEqual([atText(text, 16, '{', 'failover[0].action', /^required field "action" is missing \(one of: wait, exec, /)]);
    });

    it('reports the errors inside a parallel group as errors of its steps', () => {
      const text = base({ 16: '  - parallel: [{ id: a, action: wait }]' });
      expect(problemsIn(text)).toEqual([atText(text, 16, '{ id: a', 'failover[0].parallel[0].duration', 'required field is missing (expected string)')]);
    });

    it('reports the parameters of the chosen action, not of some other action', () => {
      const text = base({ 14: '  - { id: pause, action: wait, duration: soon }' });
      expect(problemsIn(text)).toEqual([atText(text, 14, 'soon', 'fault[0].duration', 'expected a duration such as 250ms, 30s, 5m or 2h')]);
    });

    it('points at an unknown step field by its key', () => {
      const text = base({ 16: '  - { id: check, action: tcp, target: db, retries: 3 }' });
      expect(problemsIn(text)).toEqual([atText(text, 16, 'retries', 'failover[0].retries', 'unknown field "retries"')]);
    });

    it('reports an unknown resource type with the types there are', () => {
      const text = base({ 8: '  db: { type: mysql, port: 5432 }' });
      expect(problemsIn(text)).toContainEqual(atText(text, 8, 'mysql', 'resources.db.type', /^unknown type "mysql"; expected one of: .*\btcp\b/));
    });
  });

  describe('cross-field rules', () => {
    it('rejects an action under a phase it is not allowed in, naming the phases it is', () => {
      const text = base({ 16: '  - { id: check, action: lab.pause, target: db }' });
      expect(problemsIn(text)).toContainEqual(atText(text, 16, 'lab.pause', 'failover[0].action', 'action lab.pause is not allowed under failover (allowed in: fault)'));
    });

    it('rejects a step id used again in another phase, naming the first use', () => {
      const text = base({ 16: '  - { id: pause, action: tcp, target: db }' });
      expect(problemsIn(text)).toEqual([atText(text, 16, 'pause', 'failover[0].id', 'duplicate step id "pause" (first used at fault[0])')]);
    });

    it('rejects duplicate step ids inside a parallel group and against the group id', () => {
      const text = base({
        16: [
          '  - id: both', // 16
          '    parallel:', // 17
          '      - { id: a, action: wait, duration: 1s }', // 18
          '      - { id: a, action: wait, duration: 1s }', // 19
          '      - { id: both, action: wait, duration: 1s }', // 20
        ].join('\n'),
      });
      expect(problemsIn(text)).toEqual([
        atText(text, 19, 'a,', 'failover[0].parallel[1].id', 'duplicate step id "a" (first used at failover[0].parallel[0])'),
        atText(text, 20, 'both', 'failover[0].parallel[2].id', 'duplicate step id "both" (first used at failover[0])'),
      ]);
    });

    it('rejects a target that names no resource, listing the resources', () => {
      const text = base({ 16: '  - { id: check, action: tcp, target: dbx }' });
      expect(problemsIn(text)).toEqual([atText(text, 16, 'dbx', 'failover[0].target', 'no resource named "dbx" (resources: web, db)')]);
    });

    it('rejects a target of a type the action cannot act on', () => {
      const text = base({ 16: '  - { id: check, action: tcp, target: web }' });
      expect(problemsIn(text)).toEqual([atText(text, 16, 'web', 'failover[0].target', 'resource "web" is of type http; expected tcp')]);
    });

    it('rejects a missing target where the action needs one, and a target where it takes none', () => {
      const text = base({
        14: '  - { id: pause, action: wait, duration: 1s, target: db }',
        16: '  - { id: check, action: lab.kill }',
      });
      expect(problemsIn(text)).toEqual([
        atText(text, 14, 'db }', 'fault[0].target', 'action wait takes no target'),
        atText(text, 16, '{', 'failover[0].target', 'action lab.kill needs a target'),
      ]);
    });

    it('rejects a probe target that names no resource', () => {
      const text = base({ 10: '  up: { type: http, target: nowhere }' });
      expect(problemsIn(text)).toEqual([atText(text, 10, 'nowhere', 'probes.up.target', 'no resource named "nowhere"')]);
    });

    it('rejects a recovery condition on a probe that does not exist', () => {
      const text = base({ 12: '  all: [up, down]' });
      expect(problemsIn(text)).toEqual([atText(text, 12, 'down', 'recovery.all[1]', 'no probe named "down" (probes: up)')]);
    });

    it('rejects an RTO objective without a recovery condition', () => {
      expect(problemsIn(base({ 11: '# no recovery', 12: '' }))).toEqual([at(5, 8, 'objectives.rto', 'an RTO objective needs a `recovery:` condition')]);
    });

    it('rejects objectives with neither rto nor rpo', () => {
      expect(problemsIn(base({ 4: 'objectives: {}', 5: '' }))).toEqual([at(4, 13, 'objectives', 'give at least one objective: rto or rpo')]);
    });

    it('rejects an RPO objective without a postgres.writes probe to measure it', () => {
      expect(problemsIn(base({ 5: '  rto: 30s\n  rpo: 1s' }))).toEqual([at(6, 8, 'objectives.rpo', 'an RPO objective needs a probe of type postgres.writes')]);
    });

    it.each([
      ['the RTO', 5, '  rto: 0s', 'objectives.rto'],
      ['a step timeout', 16, '  - { id: check, action: tcp, target: db, timeout: 0ms }', 'failover[0].timeout'],
      ['a probe interval', 10, '  up: { type: http, target: web, interval: 0s }', 'probes.up.interval'],
      ['a probe timeout', 10, '  up: { type: http, target: web, timeout: 0m }', 'probes.up.timeout'],
      ['a retry interval', 16, '  - { id: check, action: tcp, target: db, retry: { initialInterval: 0s } }', 'failover[0].retry.initialInterval'],
    ])('rejects a zero duration for %s', (_, line, replacement, path) => {
      const text = base({ [line]: replacement });
      expect(problemsIn(text)).toEqual([atText(text, line, ' 0', path, 'must be greater than zero', 1)]);
    });

    it('rejects a negative duration as not a duration at all', () => {
      expect(problemsIn(base({ 5: '  rto: -5s' }))).toEqual([at(5, 8, 'objectives.rto', 'expected a duration such as 250ms, 30s, 5m or 2h')]);
    });

    it('rejects a retry whose maximumInterval is shorter than its initialInterval', () => {
      const text = base({ 16: '  - { id: check, action: tcp, target: db, retry: { initialInterval: 5s, maximumInterval: 1s } }' });
      expect(problemsIn(text)).toEqual([atText(text, 16, '1s', 'failover[0].retry.maximumInterval', 'must not be shorter than initialInterval')]);
    });

    it('compares maximumInterval with the default initialInterval of 1s when none is given', () => {
      const text = base({ 16: '  - { id: check, action: tcp, target: db, retry: { maximumInterval: 500ms } }' });
      expect(problemsIn(text)).toEqual([atText(text, 16, '500ms', 'failover[0].retry.maximumInterval', 'must not be shorter than initialInterval')]);
      expect(() => parseRunbook(base({ 16: '  - { id: check, action: tcp, target: db, retry: { maximumInterval: 1s } }' }), 'rb.yaml', defaultRegistry())).not.toThrow();
    });

    it('rejects an unknown upper-case error code in nonRetryableErrorTypes but accepts error class names', () => {
      const text = base({ 16: '  - { id: check, action: tcp, target: db, retry: { nonRetryableErrorTypes: [STEP_TIMEOUT, NO_SUCH_CODE, TypeError] } }' });
      expect(problemsIn(text)).toEqual([atText(text, 16, 'NO_SUCH_CODE', 'failover[0].retry.nonRetryableErrorTypes[1]', 'unknown error code "NO_SUCH_CODE"')]);
    });

    it.each(['${nope}', '${env:1X}', '${env:}', '${steps.only-id}', '${steps.a.b.}', '${ENV:HOME}'])('rejects the bad reference %s', (ref) => {
      const text = base({ 7: `  web: { type: http, url: "http://h/${ref}" }` });
      expect(problemsIn(text)).toEqual([atText(text, 7, '"http', 'resources.web.url', `bad reference "${ref}": use \${env:NAME} or \${steps.<id>.<field>}`)]);
    });

    it('reports every bad reference in one string', () => {
      const text = base({ 7: '  web: { type: http, url: "http://${host}/${env:OK}/${port}" }' });
      expect(problemsIn(text).map((p) => p.message)).toEqual([
        'bad reference "${host}": use ${env:NAME} or ${steps.<id>.<field>}',
        'bad reference "${port}": use ${env:NAME} or ${steps.<id>.<field>}',
      ]);
    });

    it.each(['${env:HOST}', '${steps.check.output}', '${steps.check.rows.0}'])('accepts the reference %s in a later step', (ref) => {
      const text = base({ 16: `  - { id: check, action: tcp, target: db }\n  - { id: use, action: exec, command: [echo, "http://h/${ref}"] }` });
      expect(() => parseRunbook(text, 'rb.yaml', defaultRegistry())).not.toThrow();
    });

    it.each(['toString', 'constructor', 'hasOwnProperty'])('does not take the inherited name %s for a probe, resource or lab service', (name) => {
      const text = base({
        6: ['lab:', '  services:', `    primary: { kind: postgres, replicaOf: ${name} }`, 'resources:'].join('\n'),
        12: `  all: [${name}]`,
        16: `  - { id: check, action: tcp, target: ${name} }`,
      });
      expect(problemsIn(text).map((p) => [p.path, p.message])).toEqual([
        ['lab.services.primary.replicaOf', `no lab service named "${name}"`],
        ['recovery.all[0]', `no probe named "${name}" (probes: up)`],
        ['failover[0].target', `no resource named "${name}" (resources: web, db)`],
      ]);
    });

    it('reports an action or probe type that is a mapping instead of crashing on it', () => {
      const text = base({ 10: '  up: { type: { toString: 0 }, target: web }', 16: '  - { id: check, action: { valueOf: 1 }, target: db }' });
      expect(problemsIn(text).map((p) => p.path)).toEqual(['probes.up.type', 'failover[0].action']);
    });

    describe('lab services', () => {
      const lab = (primary: string, replica: string) =>
        base({
          6: ['lab:', '  services:', `    primary: ${primary}`, `    replica: ${replica}`, 'resources:'].join('\n'),
        });

      it('accepts a replica of an existing service', () => {
        expect(() => parseRunbook(lab('{ kind: postgres }', '{ kind: postgres, replicaOf: primary }'), 'rb.yaml', defaultRegistry())).not.toThrow();
      });

      it('rejects replicaOf naming no lab service', () => {
        const text = lab('{ kind: postgres }', '{ kind: postgres, replicaOf: primry }');
        expect(problemsIn(text)).toEqual([atText(text, 9, 'primry', 'lab.services.replica.replicaOf', 'no lab service named "primry"')]);
      });

      it('rejects a service replicating from itself, once', () => {
        const text = lab('{ kind: postgres, replicaOf: primary }', '{ kind: postgres }');
        expect(problemsIn(text)).toEqual([atText(text, 8, 'primary }', 'lab.services.primary.replicaOf', 'a service cannot replicate from itself')]);
      });

      it('rejects a replication cycle on every service in it', () => {
        const text = lab('{ kind: postgres, replicaOf: replica }', '{ kind: postgres, replicaOf: primary }');
        expect(problemsIn(text)).toEqual([
          atText(text, 8, 'replica }', 'lab.services.primary.replicaOf', 'replication cycle: some service must be a primary'),
          atText(text, 9, 'primary }', 'lab.services.replica.replicaOf', 'replication cycle: some service must be a primary'),
        ]);
      });

      it('rejects a lab.postgres resource naming no lab service', () => {
        const text = lab('{ kind: postgres }', '{ kind: postgres }').replace('  db: { type: tcp, port: 5432 }', '  db: { type: tcp, port: 5432 }\n  pg: { type: lab.postgres, service: nope }');
        expect(problemsIn(text)).toEqual([atText(text, 13, 'nope', 'resources.pg.service', 'no lab service named "nope" (lab services: primary, replica)')]);
      });

      it('rejects a lab.postgres resource when there is no lab', () => {
        const text = base({ 8: '  db: { type: lab.postgres, service: primary }', 16: '  - { id: check, action: wait, duration: 1s }' });
        expect(problemsIn(text)).toEqual([atText(text, 8, 'lab.postgres', 'resources.db.type', 'a lab.postgres resource needs a `lab:` section')]);
      });
    });
  });

  describe('JSON runbooks', () => {
    const json = (value: unknown) => JSON.stringify(value, null, 2);
    const valid = {
      apiVersion: 'lifeboat/v1',
      kind: 'Runbook',
      name: 'json',
      objectives: { rto: '10s' },
      probes: { up: { type: 'tcp', port: 80 } },
      recovery: { all: ['up'] },
      failover: [{ id: 'w', action: 'wait', duration: '1s' }],
    };

    it('accepts a valid runbook written as JSON', () => {
      expect(parseRunbook(json(valid), 'rb.json', defaultRegistry()).failover).toEqual([{ id: 'w', action: 'wait', duration: '1s', onFailure: 'abort' }]);
    });

    it('accepts JSON on a single line and indented with tabs', () => {
      expect(parseRunbook(JSON.stringify(valid), 'rb.json', defaultRegistry()).name).toBe('json');
      expect(parseRunbook(JSON.stringify(valid, null, '\t'), 'rb.json', defaultRegistry()).name).toBe('json');
    });

    it('reports problems in JSON at their line and column', () => {
      const text = json({ ...valid, objectives: { rto: '0s' }, failover: [{ id: 'w', action: 'wait', duration: 'x' }], extra: true });
      /** Line and column of `needle` in the JSON text. */
      const find = (needle: string) => {
        const lines = text.split('\n');
        const line = lines.findIndex((l) => l.includes(needle));
        return { line: line + 1, column: lines[line]!.indexOf(needle) + 1 };
      };
      expect(problemsIn(text, 'rb.json').map(({ line, column, path }) => ({ line, column, path }))).toEqual([
        { ...find('"0s"'), path: 'objectives.rto' },
        { ...find('"x"'), path: 'failover[0].duration' },
        { ...find('"extra"'), path: 'extra' },
      ]);
      expect(find('"x"')).toEqual({ line: 23, column: 19 });
    });

    it('rejects JSON with a duplicate key', () => {
      expect(problemsIn('{"apiVersion": "lifeboat/v1", "apiVersion": "lifeboat/v1"}')).toEqual([at(1, 31, '', 'Map keys must be unique')]);
    });
  });
});

describe('loadRunbook', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lifeboat-load-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The problems loadRunbook reports for a file. */
  async function problemsOf(file: string): Promise<RunbookProblem[]> {
    const err: unknown = await loadRunbook(file, defaultRegistry()).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(err instanceof InvalidRunbookError)) throw new Error(`expected InvalidRunbookError, got ${String(err)}`);
    return err.problems;
  }

  it('loads the example runbook and keeps its exact text', async () => {
    const loaded = await loadRunbook(EXAMPLE, defaultRegistry());
    expect(loaded.file).toBe(EXAMPLE);
    expect(loaded.text).toBe(await readFile(EXAMPLE, 'utf8'));
    expect(loaded.runbook.name).toBe('local-postgres-failover');
  });

  it('reports a missing file as an invalid runbook, not a system error', async () => {
    const file = join(dir, 'nope.yaml');
    expect(await problemsOf(file)).toEqual([{ file, line: 1, column: 1, path: '', message: 'cannot read: no such file' }]);
  });

  it('reports a directory given instead of a file', async () => {
    const sub = join(dir, 'a-directory.yaml');
    await mkdir(sub);
    expect(await problemsOf(sub)).toEqual([{ file: sub, line: 1, column: 1, path: '', message: 'is a directory, not a runbook file' }]);
  });

  it('refuses a FIFO without waiting for a writer', async () => {
    const fifo = join(dir, 'runbook.fifo');
    execFileSync('mkfifo', [fifo]);
    expect(await problemsOf(fifo)).toEqual([{ file: fifo, line: 1, column: 1, path: '', message: 'is not a regular file (a FIFO)' }]);
  });

  it('refuses a character device such as /dev/null or /dev/zero', async () => {
    for (const device of ['/dev/null', '/dev/zero']) {
      expect(await problemsOf(device)).toEqual([{ file: device, line: 1, column: 1, path: '', message: 'is not a regular file (a character device)' }]);
    }
  });

  it('refuses a socket', async () => {
    const path = join(dir, 'runbook.sock');
    const server = createServer();
    await new Promise<void>((listening) => server.listen(path, listening));
    try {
      expect(await problemsOf(path)).toEqual([{ file: path, line: 1, column: 1, path: '', message: 'is not a regular file (a socket)' }]);
    } finally {
      await new Promise((closed) => server.close(closed));
    }
  });

  it('reports an empty file', async () => {
    const file = join(dir, 'empty.yaml');
    await writeFile(file, '');
    expect(await problemsOf(file)).toEqual([expect.objectContaining({ file, message: expect.stringMatching(/^file is empty/) })]);
  });

  it('reports a binary file', async () => {
    const file = join(dir, 'garbage.bin');
    await writeFile(file, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xff, 0xfe]));
    expect(await problemsOf(file)).toEqual([expect.objectContaining({ file, message: 'not a text file (contains NUL bytes)' })]);
  });

  it('refuses a file larger than the limit before reading it', async () => {
    const file = join(dir, 'huge.yaml');
    await writeFile(file, Buffer.alloc(MAX_RUNBOOK_BYTES + 1, 0x20));
    expect(await problemsOf(file)).toEqual([expect.objectContaining({ file, message: `file is too large (${MAX_RUNBOOK_BYTES + 1} bytes; at most ${MAX_RUNBOOK_BYTES})` })]);
  });

  it('loads a JSON runbook file', async () => {
    const file = join(dir, 'runbook.json');
    await writeFile(file, JSON.stringify({ apiVersion: 'lifeboat/v1', kind: 'Runbook', name: 'from-json', objectives: { rpo: '1s' }, probes: { w: { type: 'postgres.writes', endpoints: ['db'] } }, resources: { db: { type: 'postgres', dsn: 'postgres://localhost/x' } } }));
    expect((await loadRunbook(file, defaultRegistry())).runbook.name).toBe('from-json');
  });

  it('names the file in every problem of an invalid file', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, base({ 5: '  rto: 0s', 16: '  - { id: check, action: tcp, target: nowhere }' }));
    const problems = await problemsOf(file);
    expect(problems.map((p) => formatProblem(p))).toEqual([
      `${file}:5:8: objectives.rto: must be greater than zero`,
      `${file}:16:39: failover[0].target: no resource named "nowhere" (resources: web, db)`,
    ]);
  });
});
