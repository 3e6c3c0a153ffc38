import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { livePidsMentioning } from './support/pg-lab-helpers.js';
import { journalEntries, labRootOf, runCli, startCli, tempStateDir } from './support/run-cli.js';
import { waitForRunStep } from './support/wait-for-step.js';

const RUNBOOK = 'test/fixtures/long-failover.yaml';


describe('lifeboat lab prune', () => {
  it('removes the lab and the lock of a drill killed mid-failover, marks it aborted, and then finds nothing', async () => {
    const state = tempStateDir();
    const run = startCli(['--state-dir', state, 'drill', RUNBOOK]);
    const { runId, path } = await waitForRunStep(run, state, 'hold');
    run.child.kill('SIGKILL');
    await run.done;
    const root = labRootOf(path)!;
    const lock = join(state, 'locks', 'long-failover.lock');
    // What a crash leaves: servers, the lab directory, the lock, a history row of a dead process.
    expect(livePidsMentioning(root).length).toBeGreaterThan(0);
    expect(existsSync(root)).toBe(true);
    expect(existsSync(lock)).toBe(true);
    const before = await runCli(['--state-dir', state, 'history', '--json']);
    expect(JSON.parse(before.stdout)).toMatchObject([{ runId, status: 'abandoned' }]);

    // A dry run lists it and touches nothing.
    const dry = await runCli(['--state-dir', state, 'lab', 'prune', '--dry-run']);
    expect(dry.code, dry.stdout + dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`would prune run ${runId} (long-failover): process lab ${root} (primary, replica)`);
    expect(livePidsMentioning(root).length).toBeGreaterThan(0);
    expect(existsSync(root)).toBe(true);
    expect(existsSync(lock)).toBe(true);

    const r = await runCli(['--state-dir', state, 'lab', 'prune', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      dryRun: false,
      runs: [{ runId, runbook: 'long-failover', driver: 'process', root, services: ['primary', 'replica'], outcome: 'pruned', lockRemoved: lock, historyMarked: true }],
      problems: [],
    });
    expect(livePidsMentioning(root)).toEqual([]);
    expect(existsSync(root)).toBe(false);
    expect(existsSync(lock)).toBe(false);
    const history = JSON.parse((await runCli(['--state-dir', state, 'history', '--json'])).stdout);
    expect(history).toMatchObject([{ runId, status: 'aborted', verdict: 'incomplete', error: expect.stringContaining('removed by lifeboat lab prune') }]);
    expect(journalEntries(path).at(-1)).toMatchObject({ type: 'finished', status: 'aborted', note: expect.stringContaining('lab prune') });

    // Nothing is left to prune, and the run is no longer offered for resume.
    const again = await runCli(['--state-dir', state, 'lab', 'prune']);
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe('nothing to prune');
    const resume = await runCli(['--state-dir', state, 'resume', runId]);
    expect(resume.code).toBe(2);
    expect(resume.stderr).toMatch(/already finished \(aborted\)/);
  }, 120_000);

  it('leaves a run that is still going alone', async () => {
    const state = tempStateDir();
    const run = startCli(['--state-dir', state, 'drill', RUNBOOK]);
    try {
      const { path } = await waitForRunStep(run, state, 'hold');
      const r = await runCli(['--state-dir', state, 'lab', 'prune']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe('nothing to prune');
      expect(livePidsMentioning(labRootOf(path)!).length).toBeGreaterThan(0);
    } finally {
      run.child.kill('SIGINT');
    }
    const done = await run.done;
    expect(done.code).toBe(3);
  }, 120_000);
});
