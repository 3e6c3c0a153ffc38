import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LifeboatError } from '../errors.js';
import { makeDirs } from '../util/make-dir.js';
import { storageFault } from '../util/storage-fault.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What a lock file says about its holder. */
export interface LockHolder {
  pid?: number;
  runId?: string;
}

/** Another run of the same runbook holds the lock. */
export class RunbookLockedError extends LifeboatError {
  constructor(
    message: string,
    /** The live holder, when its lock file could be read. */
    readonly holder?: LockHolder,
  ) {
    super('INFRASTRUCTURE', message);
  }
}

/** The lock file of a runbook. */
export function runLockPath(stateDir: string, runbook: string): string {
  return join(stateDir, 'locks', `${runbook}.lock`);
}

/**
 * Takes the per-runbook lock (a file with the holder's pid and run id), created atomically (a
 * complete temporary file hard-linked into place). A lock whose holder died is taken over; a live
 * holder — another process, or another run in this process — makes this throw. Returns the
 * release function, which removes the lock only while it is still this run's.
 */
export function acquireRunLock(stateDir: string, runbook: string, runId: string): () => void {
  const dir = join(stateDir, 'locks');
  try {
    makeDirs(dir, 0o700);
  } catch (err) {
    throw storageFault('create the run lock directory', dir, err);
  }
  const file = runLockPath(stateDir, runbook);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify({ pid: process.pid, runId, at: new Date().toISOString() }), { mode: 0o600 });
  } catch (err) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      /* what failed may fail again */
    }
    throw storageFault('write the run lock', file, err);
  }
  try {
    for (let i = 0; i < 3; i++) {
      try {
        linkSync(tmp, file);
        return () => {
          try {
            const held = JSON.parse(readFileSync(file, 'utf8')) as { runId?: string };
            if (held.runId === runId) rmSync(file, { force: true });
          } catch {
            /* already gone */
          }
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw storageFault('take the run lock', file, err);
      }
      let holder: { pid?: number; runId?: string } | undefined;
      try {
        holder = JSON.parse(readFileSync(file, 'utf8')) as typeof holder;
      } catch {
        holder = undefined;
      }
      const live = holder?.pid !== undefined && (holder.pid === process.pid ? holder.runId !== runId : alive(holder.pid));
      if (live) throw new RunbookLockedError(`runbook ${runbook} is locked by run ${holder?.runId ?? '?'} (pid ${holder?.pid}); wait for it or stop it`, holder);
      if (holder === undefined) {
        // Unreadable: written by something else; only take it over once it is clearly old.
        let age = Infinity;
        try {
          age = Date.now() - statSync(file).mtimeMs;
        } catch {
          continue;
        }
        if (age < 60_000) throw new RunbookLockedError(`runbook ${runbook} is locked (${file} is unreadable; remove it if no run is active)`);
      }
      rmSync(file, { force: true });
    }
    throw new RunbookLockedError(`could not take the lock of runbook ${runbook}`);
  } finally {
    rmSync(tmp, { force: true });
  }
}
