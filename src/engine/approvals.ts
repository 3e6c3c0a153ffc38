import { closeSync, fsyncSync, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { messageOf } from '../errors.js';
import type { Approval } from '../providers/types.js';
import { makeDirs } from '../util/make-dir.js';
import { storageFault } from '../util/storage-fault.js';

/** How often a waiting run looks for an approval written by another process. */
export const APPROVAL_POLL_MS = 200;

/** The directory of a run's approvals: one file per confirmed `manual` step. */
export function approvalsDir(runDir: string): string {
  return join(runDir, 'approvals');
}

function approvalPath(runDir: string, stepId: string): string {
  return join(approvalsDir(runDir), `${stepId}.json`);
}

/** The approval of a step, if one was written. */
export function findApproval(runDir: string, stepId: string): Approval | undefined {
  try {
    const a = JSON.parse(readFileSync(approvalPath(runDir, stepId), 'utf8')) as Approval;
    return typeof a.by === 'string' && typeof a.at === 'number' ? a : undefined;
  } catch {
    // Absent (or, impossibly, torn: the file appears only whole, by link).
    return undefined;
  }
}

/**
 * Records that an operator confirmed a `manual` step. Atomic and safe across processes: the
 * approval is written and fsynced under a temporary name, then hard-linked to its final name,
 * which fails if it exists — the first approval wins, a reader never sees a half-written file,
 * and a crash leaves either no approval or a whole one. Returns the approval in force (the
 * earlier one when the step was already approved) and whether this call wrote it.
 */
export function writeApproval(runDir: string, stepId: string, approval: Approval): { approval: Approval; written: boolean } {
  const dir = approvalsDir(runDir);
  const final = approvalPath(runDir, stepId);
  const tmp = join(dir, `.${stepId}.${process.pid}.${Date.now()}.tmp`);
  try {
    makeDirs(dir, 0o700);
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(approval)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, final);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      return { approval: findApproval(runDir, stepId) ?? approval, written: false };
    } finally {
      unlinkSync(tmp);
    }
    // The new name is durable only once its directory is.
    const d = openSync(dir, 'r');
    try {
      fsyncSync(d);
    } finally {
      closeSync(d);
    }
    return { approval, written: true };
  } catch (err) {
    throw storageFault('record the approval', final, err);
  }
}

/**
 * Waits until the step is approved: by `lifeboat approve` (a file appears) or, when `ask` is
 * given (an operator at this terminal), by a typed confirmation, which is written as an approval
 * too. Rejects with the signal's reason (a timeout, an interruption).
 */
export async function waitForApproval(runDir: string, stepId: string, signal: AbortSignal, ask?: (signal: AbortSignal) => Promise<Approval>): Promise<Approval> {
  const done = new AbortController();
  const both = AbortSignal.any([signal, done.signal]);
  try {
    const fromFile = (async () => {
      for (;;) {
        const a = findApproval(runDir, stepId);
        if (a) return a;
        await sleep(APPROVAL_POLL_MS, undefined, { signal: both });
      }
    })();
    const fromTerminal = ask
      ? ask(both).then((a) => writeApproval(runDir, stepId, a).approval)
      : new Promise<never>(() => {});
    return await Promise.race([fromFile, fromTerminal]);
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    throw new Error(`waiting for the approval of ${stepId}: ${messageOf(err)}`, { cause: err });
  } finally {
    done.abort();
  }
}
