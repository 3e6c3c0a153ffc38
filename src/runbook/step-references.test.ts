import { describe, expect, it } from 'vitest';
import { accepted, pathsAndMessages, positionOf, problemsIn } from './testing/problems.js';

/**
 * Steps in every phase, a parallel group and a compensation; each step's command is
 * `[echo, <id>]`, so a test puts a reference into one step by replacing its own id.
 */
const RUNBOOK = `apiVersion: lifeboat/v1
kind: Runbook
name: refs
objectives: { rto: 30s }
resources:
  web: { type: http, url: "http://127.0.0.1:8080" }
probes:
  up: { type: http, target: web }
recovery: { all: [up] }
fault:
  - { id: f1, action: exec, command: [echo, f1] }
  - { id: f2, action: exec, command: [echo, f2] }
failover:
  - { id: o1, action: exec, command: [echo, o1] }
  - id: grp
    parallel:
      - { id: p1, action: exec, command: [echo, p1] }
      - { id: p2, action: exec, command: [echo, p2] }
  - { id: o3, action: exec, command: [echo, o3], compensate: { id: undo-o3, action: exec, command: [echo, undo-o3] } }
failback:
  - { id: b1, action: exec, command: [echo, b1] }
`;

/** Where each step of RUNBOOK sits, for the path of a problem in its command. */
const PATHS: Record<string, string> = {
  f1: 'fault[0]',
  f2: 'fault[1]',
  o1: 'failover[0]',
  p1: 'failover[1].parallel[0]',
  p2: 'failover[1].parallel[1]',
  o3: 'failover[2]',
  'undo-o3': 'failover[2].compensate',
  b1: 'failback[0]',
};

/** RUNBOOK with step `id` echoing `ref` instead of its id. */
const using = (id: string, ref: string) => RUNBOOK.replace(`command: [echo, ${id}]`, `command: [echo, "${ref}"]`);

describe('${steps.<id>.<field>} references', () => {
  it('accepts the runbook the other tests change', () => {
    expect(accepted(RUNBOOK).failover).toHaveLength(3);
  });

  it.each([
    ['an earlier step of an earlier phase', 'o1', '${steps.f1.stdout}'],
    ['an earlier step of the same phase', 'f2', '${steps.f1.stdout}'],
    ['a step before the parallel group, from inside it', 'p1', '${steps.o1.stdout}'],
    ['a step of a parallel group, from a step after the group', 'o3', '${steps.p2.stdout}'],
    ['a failover step, from failback', 'b1', '${steps.o3.exitCode}'],
    ['the step it compensates, from a compensation', 'undo-o3', '${steps.o3.stdout}'],
    ['an earlier step, from a compensation', 'undo-o3', '${steps.p1.stdout}'],
  ])('accepts a reference to %s', (_, id, ref) => {
    expect(() => accepted(using(id, ref))).not.toThrow();
  });

  it.each([
    ['a step that does not exist', 'o1', '${steps.nope.stdout}', 'reference "${steps.nope.stdout}" names no step (steps: f1, f2, o1, p1, p2, o3, b1)'],
    ['a later step of the same phase', 'o1', '${steps.o3.stdout}', 'reference "${steps.o3.stdout}": step "o3" runs after this step (failover[2])'],
    ['a later fault step', 'f1', '${steps.f2.stdout}', 'reference "${steps.f2.stdout}": step "f2" runs after this step (fault[1])'],
    ['a failback step, from failover', 'o1', '${steps.b1.stdout}', 'reference "${steps.b1.stdout}": step "b1" is in failback, which runs after failover'],
    ['a failover step, from fault', 'f2', '${steps.o1.stdout}', 'reference "${steps.o1.stdout}": step "o1" is in failover, which runs after fault'],
    ['a sibling in the same parallel group', 'p1', '${steps.p2.stdout}', 'reference "${steps.p2.stdout}": step "p2" starts together with this step (same parallel group)'],
    ['the step itself', 'o1', '${steps.o1.stdout}', 'reference "${steps.o1.stdout}": a step cannot use its own output'],
    ['a compensating step', 'b1', '${steps.undo-o3.stdout}', 'reference "${steps.undo-o3.stdout}": step "undo-o3" is a compensating step (it runs only when its phase fails)'],
    ['a parallel group', 'o3', '${steps.grp.stdout}', 'reference "${steps.grp.stdout}": "grp" is a parallel group, not a step (it has no output)'],
    ['a later step, from a compensation', 'undo-o3', '${steps.b1.stdout}', 'reference "${steps.b1.stdout}": step "b1" is in failback, which runs after failover'],
  ])('rejects a reference to %s', (_, id, ref, message) => {
    const text = using(id, ref);
    expect(problemsIn(text)).toEqual([{ file: 'rb.yaml', ...positionOf(text, `"${ref}"`), path: `${PATHS[id]}.command[1]`, message }]);
  });

  it('reports each bad reference of one string', () => {
    expect(pathsAndMessages(using('o1', 'a=${steps.f1.stdout} b=${steps.b1.stdout} c=${steps.o3.stdout}'))).toEqual([
      { path: 'failover[0].command[1]', message: 'reference "${steps.b1.stdout}": step "b1" is in failback, which runs after failover' },
      { path: 'failover[0].command[1]', message: 'reference "${steps.o3.stdout}": step "o3" runs after this step (failover[2])' },
    ]);
  });

  describe('with dots in step ids', () => {
    const dotted = (firstId: string, lastId: string, ref: string) =>
      RUNBOOK.replace('id: f1,', `id: ${firstId},`).replace('id: b1, action: exec, command: [echo, b1]', `id: ${lastId}, action: exec, command: [echo, b1]`).replace('command: [echo, o1]', `command: [echo, "${ref}"]`);

    it('accepts a dotted id of an earlier step', () => {
      expect(() => accepted(dotted('db.primary', 'b1', '${steps.db.primary.stdout}'))).not.toThrow();
    });

    it('reads the longest leading part naming a step that ran before, as the run does', () => {
      // `a` ran before; `a.b` runs later: at run time `${steps.a.b.c}` is field b.c of step a.
      expect(() => accepted(dotted('a', 'a.b', '${steps.a.b.c}'))).not.toThrow();
    });

    it('rejects a dotted id of a later step, naming the whole id', () => {
      expect(pathsAndMessages(dotted('f1', 'db.primary', '${steps.db.primary.stdout}'))).toEqual([
        { path: 'failover[0].command[1]', message: 'reference "${steps.db.primary.stdout}": step "db.primary" is in failback, which runs after failover' },
      ]);
    });
  });

  it('rejects a step reference in a probe: probes are resolved at run start', () => {
    expect(pathsAndMessages(RUNBOOK.replace('up: { type: http, target: web }', 'up: { type: http, target: web, headers: { x-step: "${steps.o1.stdout}" } }'))).toEqual([
      { path: 'probes.up.headers.x-step', message: 'reference "${steps.o1.stdout}": probes are resolved at run start; put the step output in a resource the probe names' },
    ]);
  });

  describe('in a resource (resolved each time it is used)', () => {
    const withResource = (url: string) => RUNBOOK.replace('web: { type: http, url: "http://127.0.0.1:8080" }', `web: { type: http, url: "${url}" }`);

    it('accepts the output of any step; a probe on it fails until the step completed', () => {
      expect(() => accepted(withResource('http://${steps.o1.stdout}:8080'))).not.toThrow();
      expect(() => accepted(withResource('http://${steps.b1.stdout}:8080'))).not.toThrow();
    });

    it.each([
      ['a step that does not exist', '${steps.nope.stdout}', 'reference "${steps.nope.stdout}" names no step (steps: f1, f2, o1, p1, p2, o3, b1)'],
      ['a parallel group', '${steps.grp.stdout}', 'reference "${steps.grp.stdout}": "grp" is a parallel group, not a step (it has no output)'],
      ['a compensating step', '${steps.undo-o3.stdout}', 'reference "${steps.undo-o3.stdout}": step "undo-o3" is a compensating step (it runs only when its phase fails)'],
    ])('rejects %s', (_, ref, message) => {
      expect(pathsAndMessages(withResource(`http://${ref}:8080`))).toEqual([{ path: 'resources.web.url', message }]);
    });

    it('rejects a step acting on the resource before the step whose output it uses', () => {
      const text = withResource('http://${steps.o3.stdout}:8080').replace('{ id: o1, action: exec, command: [echo, o1] }', '{ id: o1, action: exec, target: web, command: [echo, o1] }');
      expect(pathsAndMessages(text)).toEqual([
        { path: 'failover[0].target', message: 'resource "web" uses ${steps.o3.stdout}: step "o3" runs after this step (failover[2])' },
      ]);
    });
  });

  it('reports the same problems in a runbook written as JSON', async () => {
    const { parse } = await import('yaml');
    const json = JSON.stringify(parse(using('o1', '${steps.b1.stdout}')), null, 2);
    expect(pathsAndMessages(json, 'rb.json')).toEqual([
      { path: 'failover[0].command[1]', message: 'reference "${steps.b1.stdout}": step "b1" is in failback, which runs after failover' },
    ]);
    expect(problemsIn(json, 'rb.json')[0]).toMatchObject(positionOf(json, '"${steps.b1.stdout}"'));
  });
});
