import { describe, expect, it } from 'vitest';
import { accepted, pathsAndMessages, positionOf, problemsIn } from './testing/problems.js';

const RUNBOOK = `apiVersion: lifeboat/v1
kind: Runbook
name: durations
objectives: { rto: 30s }
resources:
  web: { type: http, url: "http://127.0.0.1:8080" }
  db: { type: tcp, port: 5432 }
probes:
  up: { type: http, target: web }
steadyState: { timeout: 30s }
recovery: { all: [up], stableFor: 1s, timeout: 5m }
fault:
  - { id: pause, action: wait, duration: 1s }
failover:
  - { id: check, action: tcp, target: db }
`;

const TOO_LONG = 'must be at most 24d20h31m23.647s (2147483647ms), the longest a timer can wait';
const HUGE = `${'9'.repeat(400)}ms`;

/** RUNBOOK with one piece of text replaced (which must be there). */
function change(from: string, to: string): string {
  if (!RUNBOOK.includes(from)) throw new Error(`"${from}" is not in the runbook`);
  return RUNBOOK.replace(from, to);
}

describe('durations a timer waits for', () => {
  it('accepts the runbook the other tests change', () => {
    expect(accepted(RUNBOOK).name).toBe('durations');
  });

  it.each([
    ['a wait', 'duration: 1s', 'duration: 30d', 'fault[0].duration'],
    ['a step timeout', 'target: db }', 'target: db, timeout: 30d }', 'failover[0].timeout'],
    ['a probe interval', 'target: web }', 'target: web, interval: 25d }', 'probes.up.interval'],
    ['a probe timeout', 'target: web }', 'target: web, timeout: 720h }', 'probes.up.timeout'],
    ['the recovery timeout', 'timeout: 5m', 'timeout: 30d', 'recovery.timeout'],
    ['the steady-state timeout', 'steadyState: { timeout: 30s }', 'steadyState: { timeout: 30d }', 'steadyState.timeout'],
    ['a retry initialInterval', 'target: db }', 'target: db, retry: { initialInterval: 30d, maximumInterval: 30d } }', 'failover[0].retry.initialInterval'],
    ['a wait given in more digits than a number holds', 'duration: 1s', `duration: ${HUGE}`, 'fault[0].duration'],
  ])('rejects %s longer than a timer can hold, saying the maximum', (_, from, to, path) => {
    const problems = pathsAndMessages(change(from, to));
    expect(problems).toContainEqual({ path, message: TOO_LONG });
    expect(problems.every((p) => p.message === TOO_LONG)).toBe(true);
  });

  it('points at the value that is too long', () => {
    const text = change('duration: 1s', 'duration: 30d');
    expect(problemsIn(text)).toEqual([{ file: 'rb.yaml', ...positionOf(text, '30d'), path: 'fault[0].duration', message: TOO_LONG }]);
  });

  it('accepts the longest wait a timer can hold, and not a millisecond more', () => {
    expect(() => accepted(change('duration: 1s', 'duration: 24d20h31m23.647s'))).not.toThrow();
    expect(pathsAndMessages(change('duration: 1s', 'duration: 24d20h31m23.648s'))).toEqual([{ path: 'fault[0].duration', message: TOO_LONG }]);
  });

  it('rejects an exponent as not a duration', () => {
    expect(pathsAndMessages(change('duration: 1s', 'duration: 1e400ms'))).toEqual([{ path: 'fault[0].duration', message: 'expected a duration such as 250ms, 30s, 5m or 2h' }]);
  });

  it('rejects a retry policy whose backoff grows past what a timer can hold', () => {
    // 1d, 2d, 4d, ... capped at the default 100 × initialInterval = 100d.
    expect(pathsAndMessages(change('target: db }', 'target: db, retry: { maximumAttempts: 10, initialInterval: 1d } }'))).toEqual([
      {
        path: 'failover[0].retry',
        message: 'waits up to 8640000000ms between attempts; at most 24d20h31m23.647s (2147483647ms), the longest a timer can wait: set a shorter maximumInterval',
      },
    ]);
    expect(() => accepted(change('target: db }', 'target: db, retry: { maximumAttempts: 10, initialInterval: 1d, maximumInterval: 20d } }'))).not.toThrow();
    expect(() => accepted(change('target: db }', 'target: db, retry: { maximumAttempts: 3, initialInterval: 1d } }'))).not.toThrow();
  });

  it('reports the same problem in a runbook written as JSON', async () => {
    const { parse } = await import('yaml');
    const json = JSON.stringify(parse(change('duration: 1s', 'duration: 30d')), null, 2);
    expect(problemsIn(json, 'rb.json')).toEqual([{ file: 'rb.json', ...positionOf(json, '"30d"'), path: 'fault[0].duration', message: TOO_LONG }]);
  });
});

describe('objectives and other durations that are compared, not waited for', () => {
  it('accepts objectives longer than a timer can hold', () => {
    const text = change('objectives: { rto: 30s }', 'objectives: { rto: 365d }');
    expect(accepted(text).objectives.rto).toBe('365d');
  });

  it('refuses a backups section with a pointer to backup policy files', () => {
    const text = change('objectives: { rto: 30s }', 'objectives: { rto: 30s }\nbackups:\n  - { name: nightly }');
    expect(pathsAndMessages(text)).toEqual([
      {
        path: 'backups',
        message:
          'backup policies are no longer part of a runbook: move them to a file of kind: BackupPolicy and run `lifeboat backups check <policy>` (README: Backup policies)',
      },
    ]);
  });

  it('rejects an objective too large to be a number', () => {
    expect(pathsAndMessages(change('rto: 30s', `rto: ${HUGE}`))).toEqual([{ path: 'objectives.rto', message: 'too large to be a duration' }]);
  });
});

describe('zero durations', () => {
  it.each([
    ['the recovery timeout', 'timeout: 5m', 'timeout: 0s', 'recovery.timeout'],
    ['the steady-state timeout', 'steadyState: { timeout: 30s }', 'steadyState: { timeout: 0ms }', 'steadyState.timeout'],
    ['a probe interval', 'target: web }', 'target: web, interval: 0s }', 'probes.up.interval'],
    ['a probe timeout', 'target: web }', 'target: web, timeout: 0s }', 'probes.up.timeout'],
    ['a step timeout', 'target: db }', 'target: db, timeout: 0s }', 'failover[0].timeout'],
    ['a retry initialInterval', 'target: db }', 'target: db, retry: { initialInterval: 0ms } }', 'failover[0].retry.initialInterval'],
  ])('rejects a zero duration for %s, which can only fail', (_, from, to, path) => {
    expect(pathsAndMessages(change(from, to))).toEqual([{ path, message: 'must be greater than zero' }]);
  });

  it.each([
    ['recovery.stableFor', 'stableFor: 1s', 'stableFor: 0s'],
    ['a wait', 'duration: 1s', 'duration: 0s'],
  ])('accepts a zero duration for %s', (_, from, to) => {
    expect(() => accepted(change(from, to))).not.toThrow();
  });
});
