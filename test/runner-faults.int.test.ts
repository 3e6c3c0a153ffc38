import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { livePidsMentioning } from './support/pg-lab-helpers.js';
import { type CliRun, journalOf, labRootOf, reportOf, ROOT, startCli, tempStateDir } from './support/run-cli.js';
import { startCliInTerminal } from './support/run-in-terminal.js';
import { waitForStepStart } from './support/wait-for-step.js';

// Waits of 2 s in the failover (`hold`, after the promotion) and in the failback (`linger`,
// before `rejoin-old-primary`), so that there is time to act while either phase runs.
const RUNBOOK = 'test/fixtures/slow-failover-and-failback.yaml';
const PLAN_RUNBOOK = 'runbooks/local-postgres-failover.yaml';

const stepOf = (report: any, id: string) => report.steps.find((s: any) => s.id === id);
const exitedOf = (run: CliRun) => () => (run.child.exitCode !== null ? `exit ${run.child.exitCode}: ${run.stderr()}` : undefined);

/** Nothing of the run's lab is left: no process mentions its directory, and the directory is gone. */
function expectNothingLeft(journal: string): void {
  const root = labRootOf(journal);
  expect(root).toBeTruthy();
  expect(livePidsMentioning(root!)).toEqual([]);
  expect(existsSync(root!)).toBe(false);
}

/** Runs `sh -c '<cli> <args> | head -n 1'` and returns lifeboat's own exit status (not head's). */
function pipeToHead(args: string[]) {
  const cli = [process.execPath, '--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args];
  const child = spawn('bash', ['-c', '"$@" | head -n 1; exit "${PIPESTATUS[0]}"', 'pipe-to-head', ...cli], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('output that goes away', () => {
  it.each([
    ['plan', PLAN_RUNBOOK],
    ['schema'],
    ['--help'],
  ])('`lifeboat %s` whose stdout is closed before it writes exits 0 and prints nothing on stderr', async (...args: string[]) => {
    const run = startCli(args);
    run.child.stdout!.destroy(); // the reader is gone before the first write: that write fails with EPIPE
    const r = await run.done;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('`lifeboat plan <runbook> | head -1` prints the first line and exits 0 quietly', async () => {
    const r = await pipeToHead(['plan', PLAN_RUNBOOK]);
    expect(r.stdout).toBe('Plan for local-postgres-failover (drill)\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('`lifeboat schema | head -1` (more than a pipe holds) prints the first line and exits 0 quietly', async () => {
    const r = await pipeToHead(['schema']);
    expect(r.stdout).toBe('{\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('a drill whose output goes away', () => {
  it('completes with exit 0 when its stdout and stderr (with debug logs) are closed from the start', async () => {
    const state = tempStateDir();
    const run = startCli(['--state-dir', state, '--log-level', 'debug', 'drill', RUNBOOK]);
    run.child.stdout!.destroy();
    run.child.stderr!.destroy();
    const r = await run.done;
    expect(r.code).toBe(0);
    const { runId, path } = journalOf(state)!;
    const report = reportOf(state, runId);
    expect(report.status).toBe('completed');
    expect(report.verdict).toBe('met');
    expect(stepOf(report, 'rejoin-old-primary').status).toBe('succeeded');
    expectNothingLeft(path);
  }, 60_000);

  it('completes with exit 0 when its stdout and stderr (with debug logs) go to a full disk (/dev/full: ENOSPC)', async () => {
    const state = tempStateDir();
    const full = openSync('/dev/full', 'w');
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), '--state-dir', state, '--log-level', 'debug', 'drill', RUNBOOK], {
      cwd: ROOT,
      stdio: ['ignore', full, full],
    });
    closeSync(full);
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code).toBe(0);
    const { runId, path } = journalOf(state)!;
    expect(reportOf(state, runId).status).toBe('completed');
    expectNothingLeft(path);
  }, 60_000);

  it('with stdout closed, on SIGINT mid-failover still fails back and tears down, and exits 3 (aborted)', async () => {
    const state = tempStateDir();
    const run = startCli(['--state-dir', state, 'drill', RUNBOOK]);
    run.child.stdout!.destroy();
    const { runId, path } = await waitForStepStart(state, 'hold', exitedOf(run));
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    const report = reportOf(state, runId);
    expect(report.status).toBe('aborted');
    expect(stepOf(report, 'hold').status).toBe('failed');
    expect(stepOf(report, 'rejoin-old-primary').status).toBe('succeeded');
    expectNothingLeft(path);
  }, 60_000);

  it('in a terminal that is closed mid-failover (SIGHUP, then EIO on every write) fails back, tears down and exits 3 (aborted)', async () => {
    const state = tempStateDir();
    // Debug logs, pretty-printed in a terminal, keep coming during the failback and teardown.
    const run = startCliInTerminal(['--state-dir', state, '--log-level', 'debug', 'drill', RUNBOOK]);
    // In a terminal, progress lines go to stderr: wait for the failover's wait step to start.
    const deadline = Date.now() + 45_000;
    while (!run.output().includes('▶ failover/hold')) {
      if (run.wrapper.exitCode !== null || Date.now() > deadline) throw new Error(`failover/hold not seen in the terminal: ${run.output()}`);
      await sleep(20);
    }
    run.hangup();
    const r = await run.done;
    expect(r.output).toMatch(/lifeboat: run \S+ \(slow-failover-and-failback\)/);
    // Exit 3, not SIGABRT: Node 20 aborts on exit when it cannot restore a hung-up terminal.
    expect(r, r.wrapperStderr).toEqual(expect.objectContaining({ code: 3 }));
    const { runId, path } = journalOf(state)!;
    const report = reportOf(state, runId);
    expect(report.status).toBe('aborted');
    expect(report.error).toMatch(/SIGHUP/);
    expect(stepOf(report, 'hold').status).toBe('failed');
    expect(stepOf(report, 'rejoin-old-primary').status).toBe('succeeded');
    expectNothingLeft(path);
  }, 60_000);
});

describe('signals during the failback', () => {
  it('on SIGINT during the failback lets the failback finish (the old primary rejoins), tears down and exits 3 (aborted)', async () => {
    const state = tempStateDir();
    const run = startCli(['--state-dir', state, 'drill', RUNBOOK]);
    const { runId, path } = await waitForStepStart(state, 'linger', exitedOf(run));
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stderr).toMatch(/SIGINT received: stopping the current step/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toMatch(/— run \S+: \w+ \(aborted\)/);
    const report = reportOf(state, runId);
    expect(report.status).toBe('aborted');
    expect(stepOf(report, 'hold').status).toBe('succeeded');
    expect(stepOf(report, 'linger').status).toBe('succeeded');
    expect(stepOf(report, 'rejoin-old-primary').status).toBe('succeeded');
    expectNothingLeft(path);
  }, 60_000);

  it('on a second SIGINT during the failback stops the cleanup, and still exits 3 (aborted)', async () => {
    const state = tempStateDir();
    const run = startCli(['--state-dir', state, 'drill', RUNBOOK]);
    const { runId, path } = await waitForStepStart(state, 'linger', exitedOf(run));
    run.child.kill('SIGINT');
    await sleep(300);
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stderr).toMatch(/SIGINT received again: aborting the cleanup/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const report = reportOf(state, runId);
    expect(report.status).toBe('aborted');
    expect(stepOf(report, 'linger').status).toBe('failed');
    expect(stepOf(report, 'rejoin-old-primary')?.status).not.toBe('succeeded');
    expectNothingLeft(path); // the lab teardown still ran
  }, 60_000);
});

describe('the invocation documented for cron, CI and Kubernetes (`node dist/cli/main.js`)', () => {
  it('is lifeboat itself: SIGTERM mid-failover runs failback and teardown, and the exit status is lifeboat’s 3', async () => {
    const bin = join(ROOT, 'dist/cli/main.js');
    expect(existsSync(bin), 'dist/ is missing: run `npm run build` (npm ci does)').toBe(true);
    const state = tempStateDir();
    const child = spawn(process.execPath, [bin, '--state-dir', state, 'drill', RUNBOOK], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const { runId, path } = await waitForStepStart(state, 'hold', () => (child.exitCode !== null ? `exit ${child.exitCode}: ${stderr}` : undefined));
    // The process that gets the signal is the one running the drill (no npm or shell in between).
    expect(readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0')).toContain(bin);
    child.kill('SIGTERM');
    const code = await done;
    expect(code, stdout + stderr).toBe(3);
    expect(stderr).toMatch(/SIGTERM received/);
    const report = reportOf(state, runId);
    expect(report.status).toBe('aborted');
    expect(stepOf(report, 'rejoin-old-primary').status).toBe('succeeded');
    expectNothingLeft(path);
  }, 60_000);
});
