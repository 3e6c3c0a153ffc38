import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startCli, tempStateDir } from './support/run-cli.js';
import { waitForRunStep } from './support/wait-for-step.js';

const QUICK_START = 'runbooks/local-postgres-failover.yaml';
const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at /);

// A read-only or tiny file system for the state directory: a tmpfs mount (root only; as root,
// chmod does not stop writes).
const mounts: string[] = [];
const temps: string[] = [];
function tmpfs(dir: string, options: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  mounts.push(dir);
}
afterAll(() => {
  for (const m of mounts.reverse()) execFileSync('umount', ['-l', m]);
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});
const isRoot = process.getuid?.() === 0;

/** Fills the file system of `dir` until it refuses more. */
function fill(dir: string): void {
  const fd = openSync(join(dir, 'filler'), 'w');
  const chunk = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}


describe('a state directory that cannot be written', () => {
  it('under a regular file: exits 3 naming the path and "not a directory", before anything starts', async () => {
    const root = tempStateDir();
    writeFileSync(join(root, 'plain-file'), '');
    const state = join(root, 'plain-file', 'state');
    const r = await runCli(['--state-dir', state, 'drill', QUICK_START]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(`lifeboat: cannot open the run history ${join(state, 'history.db')}: not a directory (ENOTDIR)`);
    noStack(r.stderr);
  }, 30_000);

  it('whose locks directory is a regular file: exits 3 naming the locks directory and the cause', async () => {
    const state = tempStateDir();
    writeFileSync(join(state, 'locks'), 'not a directory');
    const r = await runCli(['--state-dir', state, 'drill', QUICK_START]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(`lifeboat: cannot create the run lock directory ${join(state, 'locks')}: not a directory (ENOTDIR)`);
    expect(existsSync(join(state, 'runs'))).toBe(false);
  }, 30_000);

  it.runIf(isRoot)('on a read-only file system: exits 3 naming the path and "read-only file system", also for a directory still to be made on it', async () => {
    const ro = mkdtempSync(join(tmpdir(), 'lifeboat-ro-'));
    temps.push(ro);
    tmpfs(ro, 'ro,size=64k');
    for (const state of [ro, join(ro, 'state')]) {
      const r = await runCli(['--state-dir', state, 'drill', QUICK_START]);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr.trim()).toBe(`lifeboat: cannot open the run history ${join(state, 'history.db')}: read-only file system (EROFS)`);
      noStack(r.stderr);
    }
  }, 30_000);

  it.runIf(isRoot)('whose runs directory is read-only: exits 3 naming the journal directory and the cause, and gives the lock back', async () => {
    const state = tempStateDir();
    tmpfs(join(state, 'runs'), 'ro,size=64k');
    const r = await runCli(['--state-dir', state, 'drill', 'test/fixtures/journal-full.yaml']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`^lifeboat: cannot write the journal in ${join(state, 'runs')}/[\\w-]+: EROFS: read-only file system, mkdir '${join(state, 'runs')}/[\\w-]+'\\n$`));
    expect(existsSync(join(state, 'locks', 'journal-full.lock'))).toBe(false);
  }, 30_000);

  it.runIf(isRoot)('filling up during a run: the journal reports it once, the run exits 3 naming the journal and "no space left on device"', async () => {
    const state = tempStateDir();
    const logs = mkdtempSync(join(tmpdir(), 'lifeboat-logs-'));
    temps.push(logs);
    const logFile = join(logs, 'lifeboat.log');
    tmpfs(join(state, 'runs'), 'size=64k');
    const run = startCli(['--state-dir', state, '--log-file', logFile, 'drill', 'test/fixtures/journal-full.yaml']);
    const { path } = await waitForRunStep(run, state, 'hold', 30_000);
    fill(join(state, 'runs'));
    const r = await run.done;
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stderr).toContain(`lifeboat: cannot write the journal ${path}: no space left on device (ENOSPC)\n`);
    noStack(r.stderr);
    // Probe samples were batched every 100 ms for seconds after the disk filled: one report.
    const reports = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg: string; err?: string })
      .filter((l) => l.msg === 'cannot write the journal');
    expect(reports).toHaveLength(1);
    expect(reports[0]!.err).toBe(`cannot write the journal ${path}: no space left on device (ENOSPC)`);
  }, 60_000);
});
