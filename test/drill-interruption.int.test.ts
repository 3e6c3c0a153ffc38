import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { livePidsMentioning } from './support/pg-lab-helpers.js';
import { journalEntries, labRootOf, reportOf, runCli, startCli, tempStateDir } from './support/run-cli.js';
import { waitForRunStep } from './support/wait-for-step.js';

const RUNBOOK = 'test/fixtures/long-failover.yaml';


const stepEvents = (path: string, stepId: string) =>
  journalEntries(path).filter((e) => e.type === 'event' && e.event.kind === 'step' && e.event.stepId === stepId).map((e) => e.event.status);

describe('interrupting a drill', () => {
  it('on SIGINT during the failover phase runs failback and teardown, exits 3 and leaves nothing running', async () => {
    const state = tempStateDir();
    const run = startCli(['--state-dir', state, 'drill', RUNBOOK]);
    const { runId, path } = await waitForRunStep(run, state, 'hold');
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const report = reportOf(state, runId);
    expect(report.status).toBe('aborted');
    expect(report.steps.find((s: any) => s.id === 'hold').status).toBe('failed');
    expect(report.steps.find((s: any) => s.id === 'rejoin').status).toBe('succeeded');
    const root = labRootOf(path)!;
    expect(livePidsMentioning(root)).toEqual([]);
    expect(existsSync(root)).toBe(false);
  }, 90_000);

  it('killed with SIGKILL mid-failover, is completed by `lifeboat resume` without repeating completed steps', async () => {
    const state = tempStateDir();
    const run = startCli(['--state-dir', state, 'drill', RUNBOOK]);
    const { runId, path } = await waitForRunStep(run, state, 'hold');
    await sleep(300); // let a few more writes be acknowledged and journaled
    run.child.kill('SIGKILL');
    await run.done;
    const root = labRootOf(path)!;
    expect(livePidsMentioning(root).length).toBeGreaterThan(0); // the lab outlived the crash
    const acksBeforeCrash = journalEntries(path).filter((e) => e.type === 'event' && e.event.kind === 'write-ack').length;
    expect(acksBeforeCrash).toBeGreaterThan(0);

    const r = await runCli(['--state-dir', state, 'resume', runId]);
    const resumeEndedAt = Date.now();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = reportOf(state, runId);
    expect(report.status).toBe('completed');
    expect(report.attempts).toBe(2);
    // Completed steps ran once: one start each, announced as skipped on resume.
    expect(stepEvents(path, 'kill-primary').filter((s) => s === 'started')).toHaveLength(1);
    expect(stepEvents(path, 'promote').filter((s) => s === 'started')).toHaveLength(1);
    expect(stepEvents(path, 'promote')).toContain('skipped');
    expect(report.steps.find((s: any) => s.id === 'promote').status).toBe('succeeded');
    expect(report.steps.find((s: any) => s.id === 'rejoin').status).toBe('succeeded');
    // Measurements include the writes acknowledged before the crash.
    const acks = report.timeline.filter((e: any) => e.kind === 'write-ack');
    expect(acks.some((e: any) => e.writer === 'writes/a1')).toBe(true);
    expect(acks.some((e: any) => e.writer === 'writes/a2')).toBe(true);
    expect(report.measurements.acknowledgedWrites).toBe(new Set(acks.map((e: any) => `${e.writer}:${e.seq}`)).size);
    expect(report.measurements.acknowledgedWrites).toBeGreaterThanOrEqual(acksBeforeCrash);
    const m = report.measurements;
    const step = (id: string) => report.steps.find((s: any) => s.id === id);
    expect(m.outageStartAt).toBeGreaterThanOrEqual(step('kill-primary').startedAt);
    expect(m.recoveredAt).toBeGreaterThan(step('promote').startedAt);
    expect(m.recoveredAt).toBeLessThanOrEqual(resumeEndedAt);
    expect(m.rtoMs).toBe(m.recoveredAt - m.outageStartAt);
    expect(livePidsMentioning(root)).toEqual([]);
    expect(existsSync(root)).toBe(false);

    const again = await runCli(['--state-dir', state, 'resume', runId]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already finished/);
  }, 120_000);
});
