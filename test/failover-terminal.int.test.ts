import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { reportOf, tempStateDir } from './support/run-cli.js';
import { startCliInTerminal, type TerminalRun } from './support/run-in-terminal.js';

const T = 60_000;

async function waitForOutput(run: TerminalRun, text: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!run.output().includes(text)) {
    if (Date.now() > deadline) throw new Error(`"${text}" not shown within ${timeoutMs} ms; output: ${run.output()}`);
    await sleep(20);
  }
}

function runbook(dir: string): string {
  const file = join(dir, 'rb.yaml');
  writeFileSync(
    file,
    `apiVersion: lifeboat/v1
kind: Runbook
name: terminal-incident
objectives: { rto: 60s }
probes:
  ok: { type: exec, command: ["true"], interval: 100ms }
recovery: { all: [ok] }
failover:
  - { id: switch-dns, action: manual, instructions: "Repoint the DNS name", timeout: 30s }
`,
  );
  return file;
}

describe('lifeboat failover at a terminal', () => {
  it('refuses when the name typed is not the runbook name (exit 2)', async () => {
    const state = tempStateDir();
    const run = startCliInTerminal(['--state-dir', state, 'failover', runbook(state)]);
    await waitForOutput(run, 'Type the runbook name (terminal-incident) to go on:');
    run.type('orders-db');
    const r = await run.done;
    expect(r.code, r.output).toBe(2);
    expect(r.output).toContain('"orders-db" is not the runbook name terminal-incident; nothing was done');
  }, T);

  it('goes on when the name is typed, and a manual step is confirmed by typing yes', async () => {
    const state = tempStateDir();
    const run = startCliInTerminal(['--state-dir', state, 'failover', runbook(state)]);
    await waitForOutput(run, 'Type the runbook name (terminal-incident) to go on:');
    run.type('terminal-incident');
    await waitForOutput(run, 'type "yes" when step switch-dns is done:');
    expect(run.output()).toMatch(/lifeboat approve \S+ switch-dns/);
    run.type('not yet');
    await sleep(300);
    run.type('yes');
    const r = await run.done;
    expect(r.code, r.output).toBe(0);
    const runId = /run (\S+) \(terminal-incident\)/.exec(r.output)![1]!;
    const step = reportOf(state, runId).steps.find((s: { id: string }) => s.id === 'switch-dns');
    expect(step).toMatchObject({ status: 'succeeded', output: { confirmedBy: 'terminal' } });
  }, T);
});
