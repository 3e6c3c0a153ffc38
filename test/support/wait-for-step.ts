import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type CliRun, journalOf } from './run-cli.js';

/**
 * Waits until the journal of the only run in `stateDir` shows `stepId` started; returns the run
 * id and journal path. `exited` tells when the process is gone (then waiting is pointless).
 */
export async function waitForStepStart(stateDir: string, stepId: string, exited: () => string | undefined, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const gone = exited();
    if (gone !== undefined) throw new Error(`lifeboat exited before ${stepId} started: ${gone}`);
    const j = journalOf(stateDir);
    if (j && readFileSync(j.path, 'utf8').includes(`"stepId":"${stepId}","status":"started"`)) return j;
    await sleep(20);
  }
  throw new Error(`step ${stepId} did not start within ${timeoutMs} ms`);
}

/** {@link waitForStepStart} for a CLI this test started: gives up when that process exits. */
export function waitForRunStep(run: CliRun, stateDir: string, stepId: string, timeoutMs = 60_000) {
  return waitForStepStart(stateDir, stepId, () => (run.child.exitCode !== null ? `exit ${run.child.exitCode}: ${run.stderr()}` : undefined), timeoutMs);
}
