import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { journalEntries, reportOf, runCli, startCli, tempStateDir } from './support/run-cli.js';
import { waitForRunStep } from './support/wait-for-step.js';

const T = 60_000;

/** A drill whose steps are commands: the guard probe is healthy while `guardFile` exists; failback touches `failbackFile`. */
function drill(dir: string, failover: string, stopWhen = ''): { file: string; guardFile: string; failbackFile: string } {
  const guardFile = join(dir, 'guard');
  const failbackFile = join(dir, 'failback-ran');
  writeFileSync(guardFile, '');
  const file = join(dir, 'rb.yaml');
  writeFileSync(
    file,
    `apiVersion: lifeboat/v1
kind: Runbook
name: manual-and-stop
objectives: { rto: 60s }
probes:
  ok: { type: exec, command: ["true"], interval: 100ms }
  guard: { type: exec, command: [test, -e, "${guardFile}"], interval: 50ms }
recovery: { all: [ok] }
steadyState: { stableFor: 200ms }
${stopWhen}
fault:
  - { id: inject, action: exec, command: ["true"] }
failover:
${failover}
failback:
  - { id: restore, action: exec, command: [touch, "${failbackFile}"] }
`,
  );
  return { file, guardFile, failbackFile };
}

const stepOf = (report: { steps: Array<{ id: string }> }, id: string) => report.steps.find((s) => s.id === id) as Record<string, any>;

describe('manual steps', () => {
  it('waits until `lifeboat approve` in another process confirms it, then continues', async () => {
    const state = tempStateDir();
    const { file } = drill(state, '  - { id: dns-switched, action: manual, instructions: "Point orders.example.com at the replica", timeout: 30s }\n  - { id: after, action: exec, command: ["true"] }');
    const run = startCli(['--state-dir', state, 'drill', file]);
    const j = await waitForRunStep(run, state, 'dns-switched');
    // It really waits: nothing after it starts while nobody confirms.
    await new Promise((r) => setTimeout(r, 800));
    expect(readFileSync(j.path, 'utf8')).not.toContain('"stepId":"after"');
    expect(run.child.exitCode).toBeNull();
    expect(run.stderr()).toContain(`lifeboat approve ${j.runId} dns-switched`);
    const approvedAt = Date.now();
    const approved = await runCli(['--state-dir', state, 'approve', j.runId, 'dns-switched', '--json']);
    expect(approved.code, approved.stderr).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({ runId: j.runId, stepId: 'dns-switched', alreadyApproved: false });
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    const report = reportOf(state, j.runId);
    const step = stepOf(report, 'dns-switched');
    expect(step.status).toBe('succeeded');
    // It ended after the approval was written, within a couple of polls (200 ms each).
    expect(step.endedAt).toBeGreaterThanOrEqual(approvedAt);
    expect(stepOf(report, 'after').status).toBe('succeeded');
    // Approving a finished run is refused.
    const late = await runCli(['--state-dir', state, 'approve', j.runId, 'dns-switched']);
    expect(late.code).toBe(2);
    expect(late.stderr).toContain('already finished');
  }, T);

  it('left unconfirmed, times out: onFailure abort fails the run after failback (exit 3)', async () => {
    const state = tempStateDir();
    const { file, failbackFile } = drill(state, '  - { id: wait-op, action: manual, instructions: "Nobody will do this", timeout: 700ms }\n  - { id: after, action: exec, command: ["true"] }');
    const started = Date.now();
    const r = await runCli(['--state-dir', state, 'drill', file, '--json']);
    expect(r.code, r.stderr).toBe(3);
    const result = JSON.parse(r.stdout);
    expect(result.status).toBe('failed');
    const step = stepOf(result, 'wait-op');
    expect(step.status).toBe('failed');
    expect(step.error).toMatch(/timed out after 700ms|700 ?ms/);
    expect(step.durationMs).toBeGreaterThanOrEqual(700);
    expect(Date.now() - started).toBeGreaterThan(700);
    expect(stepOf(result, 'after')).toBeUndefined();
    expect(existsSync(failbackFile)).toBe(true);
  }, T);

  it('left unconfirmed with onFailure continue, times out and the run goes on', async () => {
    const state = tempStateDir();
    const { file } = drill(state, '  - { id: wait-op, action: manual, instructions: "Optional check", timeout: 500ms, onFailure: continue }\n  - { id: after, action: exec, command: ["true"] }');
    const r = await runCli(['--state-dir', state, 'drill', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(stepOf(result, 'wait-op').status).toBe('failed');
    expect(stepOf(result, 'after').status).toBe('succeeded');
  }, T);
});

describe('stop conditions (stopWhen)', () => {
  it('a guard probe failing mid-failover cancels the step, runs failback, ends stopped (exit 3) with the reason', async () => {
    const state = tempStateDir();
    const { file, guardFile, failbackFile } = drill(state, '  - { id: slow, action: exec, command: [sleep, "30"], timeout: 60s }', 'stopWhen: [guard]');
    const run = startCli(['--state-dir', state, 'drill', file]);
    const j = await waitForRunStep(run, state, 'slow');
    const trippedAt = Date.now();
    rmSync(guardFile);
    const r = await run.done;
    const endedAt = Date.now();
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toContain('(stopped)');
    expect(r.stdout).toMatch(/stop condition: probe guard failed/);
    // The 30 s step was cancelled, not waited for.
    expect(endedAt - trippedAt).toBeLessThan(10_000);
    expect(existsSync(failbackFile)).toBe(true);
    const report = reportOf(state, j.runId);
    expect(report.status).toBe('stopped');
    expect(report.error).toMatch(/^stop condition: probe guard failed/);
    expect(stepOf(report, 'slow').status).toBe('failed');
    expect(stepOf(report, 'restore').status).toBe('succeeded');
    expect(journalEntries(j.path).some((e) => e.type === 'event' && e.event.kind === 'mark' && e.event.name === 'stopped')).toBe(true);
    expect(readFileSync(join(state, 'runs', j.runId, 'report.md'), 'utf8')).toContain('stop condition: probe guard failed');
  }, T);

  it('a stopWhen name that is not a probe is refused with its line (exit 2)', async () => {
    const state = tempStateDir();
    const { file } = drill(state, '  - { id: x, action: exec, command: ["true"] }', 'stopWhen: [guard, nope]');
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/rb\.yaml:10:19: stopWhen\[1\]: no probe named "nope"/);
  }, T);
});
