import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
