import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { parse } from 'yaml';
import { InfrastructureError } from '../errors.js';
import type { LabState } from '../lab/types.js';
import type { Registry } from '../providers/registry.js';
import { isProcessAlive } from '../util/process-alive.js';
import { storageFault } from '../util/storage-fault.js';
import { Journal, readJournal, type JournalEntry } from './journal.js';
import { acquireRunLock, RunbookLockedError, runLockPath } from './run-lock.js';

/** A run that died unfinished and was not resumed, and the lab it left behind. */
export interface AbandonedLab {
  runId: string;
  /** The runbook's name, read from the journaled text (undefined when it cannot be read). */
  runbook?: string;
  /** Its journal file. */
  journal: string;
  /** The process of its last attempt, which is gone. */
  pid: number;
  /** The last lab state it journaled. */
  lab: LabState;
}

/** What {@link findAbandonedLabs} found. */
export interface AbandonedLabs {
  labs: AbandonedLab[];
  /** Journals that could not be read (each named with its cause); their runs are left alone. */
  problems: string[];
}

/**
 * Why a journal's run is abandoned with a lab, or undefined when it is not: it has no `finished`
 * entry, the pid of its last `attempt` is gone (a run still going, or being resumed, has a live
 * one), and it journaled a lab. A run without a lab is left alone: `resume` can still finish it.
 */
export function abandonedLabOf(runId: string, journal: string, entries: readonly JournalEntry[], alive: (pid: number) => boolean = isProcessAlive): AbandonedLab | undefined {
  if (entries.some((e) => e.type === 'finished')) return undefined;
  const attempt = entries.filter((e) => e.type === 'attempt').at(-1);
  // A journal with a header but no attempt yet belongs to a run that is starting right now.
  if (attempt?.type !== 'attempt' || alive(attempt.pid)) return undefined;
  const lab = entries.filter((e) => e.type === 'lab').at(-1);
  if (lab?.type !== 'lab') return undefined;
  const header = entries.find((e) => e.type === 'header');
  const runbook = header?.type === 'header' ? runbookNameOf(header.text) : undefined;
  return { runId, journal, pid: attempt.pid, lab: lab.state, ...(runbook !== undefined ? { runbook } : {}) };
}

/** The runbook's `name`, without validating the rest (the lock is named after it). */
function runbookNameOf(text: string): string | undefined {
  try {
    const name = (parse(text) as { name?: unknown } | null)?.name;
    return typeof name === 'string' && /^[A-Za-z0-9_.-]+$/.test(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

/** Reads every run journal of a state directory and lists the abandoned runs that left a lab, oldest first. */
export function findAbandonedLabs(stateDir: string, alive: (pid: number) => boolean = isProcessAlive): AbandonedLabs {
  const runs = join(stateDir, 'runs');
  const labs: AbandonedLab[] = [];
  const problems: string[] = [];
  if (!existsSync(runs)) return { labs, problems };
  let ids: string[];
  try {
    ids = readdirSync(runs).sort();
  } catch (err) {
    throw storageFault('read the runs directory', runs, err);
  }
  for (const runId of ids) {
    const journal = join(runs, runId, 'journal.jsonl');
    if (!existsSync(journal)) continue;
    let entries: JournalEntry[];
    try {
      entries = readJournal(journal);
    } catch (err) {
      problems.push(storageFault('read the journal', journal, err).message);
      continue;
    }
    const found = abandonedLabOf(runId, journal, entries, alive);
    if (found) labs.push(found);
  }
  return { labs, problems };
}

/** What pruning one abandoned lab did. */
export type PruneOutcome =
  | {
      pruned: true;
      /** The runbook's lock file, removed because it still named this run; undefined when there was none to remove. */
      lockRemoved?: string;
    }
  | { pruned: false; reason: string };

export interface PruneOptions {
  stateDir: string;
  registry: Registry;
  log?: Logger;
  /** Written in the journal's `finished` entry. */
  note: string;
  alive?: (pid: number) => boolean;
}

/**
 * Removes an abandoned run's lab through its driver, marks the journal finished (`aborted`, with
 * the note, so `resume` no longer offers the run) and removes the runbook's lock if it still names
 * the run. The runbook's lock is held meanwhile, so a `resume` of the same run cannot start
 * underneath; a run found alive again (a resume that started since it was found) is left alone.
 */
export async function pruneAbandonedLab(run: AbandonedLab, options: PruneOptions): Promise<PruneOutcome> {
  const alive = options.alive ?? isProcessAlive;
  const entry = options.registry.labDriver(run.lab.driver);
  if (!entry) throw new InfrastructureError(`cannot prune the lab of run ${run.runId}: lab driver "${run.lab.driver}" is not available in this version`);

  const lockFile = run.runbook !== undefined ? runLockPath(options.stateDir, run.runbook) : undefined;
  const lockNamedThisRun = lockFile !== undefined && lockNames(lockFile, run.runId);
  let release: (() => void) | undefined;
  if (run.runbook !== undefined) {
    try {
      release = acquireRunLock(options.stateDir, run.runbook, run.runId);
    } catch (err) {
      if (!(err instanceof RunbookLockedError)) throw err;
      // A live process holds this very run: it is being resumed.
      if (err.holder?.runId === run.runId) return { pruned: false, reason: `run ${run.runId} is being resumed (pid ${err.holder.pid})` };
      // Another run of the runbook is active: it cannot resume this one, and its lock is not ours to remove.
    }
  }
  try {
    // Looked at again under the lock: a resume may have begun (or finished the run) since.
    const now = abandonedLabOf(run.runId, run.journal, readJournal(run.journal), alive);
    if (!now) return { pruned: false, reason: `run ${run.runId} is no longer abandoned` };
    const driver = await entry.load();
    await driver.prune(now.lab, { ...(options.log ? { log: options.log } : {}) });
    const journal = new Journal(run.journal);
    try {
      journal.append({ type: 'finished', t: Date.now(), status: 'aborted', note: options.note }, true);
    } finally {
      journal.close();
    }
  } finally {
    release?.();
  }
  return { pruned: true, ...(lockNamedThisRun && lockFile !== undefined && !existsSync(lockFile) ? { lockRemoved: lockFile } : {}) };
}

function lockNames(file: string, runId: string): boolean {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { runId?: unknown }).runId === runId;
  } catch {
    return false;
  }
}
