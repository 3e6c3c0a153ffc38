import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InfrastructureError } from '../errors.js';
import { acquireRunLock } from './run-lock.js';

const made: string[] = [];
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), 'lifeboat-lock-'));
  made.push(d);
  return d;
};
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('acquireRunLock', () => {
  it('refuses a second run of the same runbook in the same process, and lets it in after release', () => {
    const d = dir();
    const release = acquireRunLock(d, 'rb', 'run-1');
    expect(() => acquireRunLock(d, 'rb', 'run-2')).toThrow(/locked by run run-1/);
    release();
    acquireRunLock(d, 'rb', 'run-2')();
  });

  it('takes over the lock of a dead process', () => {
    const d = dir();
    mkdirSync(join(d, 'locks'));
    writeFileSync(join(d, 'locks', 'rb.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, runId: 'dead' }));
    const release = acquireRunLock(d, 'rb', 'mine');
    expect(JSON.parse(readFileSync(join(d, 'locks', 'rb.lock'), 'utf8')).runId).toBe('mine');
    release();
    expect(existsSync(join(d, 'locks', 'rb.lock'))).toBe(false);
  });

  it('treats a fresh unreadable lock as held', () => {
    const d = dir();
    mkdirSync(join(d, 'locks'));
    writeFileSync(join(d, 'locks', 'rb.lock'), '');
    expect(() => acquireRunLock(d, 'rb', 'mine')).toThrow(/unreadable/);
  });

  it('does not remove a lock that another run took over', () => {
    const d = dir();
    const release = acquireRunLock(d, 'rb', 'first');
    writeFileSync(join(d, 'locks', 'rb.lock'), JSON.stringify({ pid: process.pid, runId: 'second' }));
    release();
    expect(JSON.parse(readFileSync(join(d, 'locks', 'rb.lock'), 'utf8')).runId).toBe('second');
  });
});

describe('run lock files and faults', () => {
  it('creates the locks directory 0700 and the lock 0600', () => {
    const d = dir();
    const release = acquireRunLock(d, 'rb', 'run-1');
    expect(statSync(join(d, 'locks')).mode & 0o777).toBe(0o700);
    expect(statSync(join(d, 'locks', 'rb.lock')).mode & 0o777).toBe(0o600);
    release();
  });

  it('names the directory and the cause when the locks directory cannot be created', () => {
    const d = dir();
    writeFileSync(join(d, 'locks'), 'a file where the directory should be');
    const err = (() => {
      try {
        acquireRunLock(d, 'rb', 'run-1');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(InfrastructureError);
    expect((err as Error).message).toBe(`cannot create the run lock directory ${join(d, 'locks')}: not a directory (ENOTDIR)`);
    writeFileSync(join(d, 'plain'), '');
    expect(() => acquireRunLock(join(d, 'plain', 'state'), 'rb', 'run-1')).toThrow(
      `cannot create the run lock directory ${join(d, 'plain', 'state', 'locks')}: not a directory (ENOTDIR)`,
    );
  });
});
