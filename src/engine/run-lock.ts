import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LifeboatError } from '../errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Another run of the same runbook holds the lock. */
export class RunbookLockedError extends LifeboatError {
  constructor(message: string) {
    super('INFRASTRUCTURE', message);
  }
}

/**
 * Takes the per-runbook lock (a file with the holder's pid). A lock whose holder died is taken
 * over; a live holder makes this throw. Returns the release function.
 */
export function acquireRunLock(stateDir: string, runbook: string, runId: string): () => void {
  const dir = join(stateDir, 'locks');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${runbook}.lock`);
  const body = JSON.stringify({ pid: process.pid, runId, at: new Date().toISOString() });
  for (let i = 0; i < 2; i++) {
    try {
      writeFileSync(file, body, { flag: 'wx' });
      return () => {
        try {
          const held = JSON.parse(readFileSync(file, 'utf8')) as { pid: number };
          if (held.pid === process.pid) rmSync(file, { force: true });
        } catch {
          /* already gone */
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder: { pid?: number; runId?: string } = {};
      try {
        holder = JSON.parse(readFileSync(file, 'utf8')) as typeof holder;
      } catch {
        /* torn lock file: treat as stale */
      }
      if (holder.pid && holder.pid !== process.pid && alive(holder.pid))
        throw new RunbookLockedError(`runbook ${runbook} is locked by run ${holder.runId ?? '?'} (pid ${holder.pid}); wait for it or stop it`);
      rmSync(file, { force: true });
    }
  }
  throw new RunbookLockedError(`could not take the lock of runbook ${runbook}`);
}
