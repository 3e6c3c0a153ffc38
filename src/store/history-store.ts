import { isProcessAlive } from '../util/process-alive.js';
import type { RunMode, RunResult, RunStatus } from '../verify/run-result.js';

export { isProcessAlive } from '../util/process-alive.js';

/**
 * A run's status in the history: `running` while its process lives, `abandoned` when the
 * process that began it died without finishing (computed when reading, never stored), else how
 * the run ended.
 */
export type HistoryStatus = 'running' | 'abandoned' | RunStatus;

/** One row of the run history. */
export interface HistoryEntry {
  runId: string;
  runbook: string;
  file: string;
  mode: string;
  status: HistoryStatus;
  verdict: string | null;
  startedAt: string;
  finishedAt: string | null;
  rtoMs: number | null;
  rpoMs: number | null;
  lostWrites: number | null;
  error: string | null;
  /** The process that last began (or resumed) the run; null for runs recorded before pids were. */
  pid: number | null;
}

/** What `begin` records about a run that starts (or resumes). */
export interface RunStart {
  runId: string;
  runbook: string;
  file: string;
  mode: RunMode;
  startedAt: number;
  /** The process running it (default: this one), so that a run whose process died reads `abandoned`. */
  pid?: number;
}

/** One `lifeboat backups check` of one policy, as the history keeps it. */
export interface BackupCheckRecord {
  policy: string;
  resource: string;
  /** The policy file. */
  file: string;
  /** The check time (ms since the epoch; `--at` when given). */
  checkedAt: number;
  compliant: boolean;
  /** The whole result as JSON-able data (rules, figures, notes, source errors). */
  result: unknown;
}

export interface BackupCheckListOptions {
  /** Only the checks of this policy. */
  policy?: string;
  /** At most this many (default 20). */
  limit?: number;
}

export interface ListOptions {
  /** Only the runs of this runbook. */
  runbook?: string;
  /** At most this many runs (default 20). */
  limit?: number;
  /** Only the runs of this mode (`drill`, `failover`). */
  mode?: RunMode;
  /** Only the runs stored with this status (`running` rows are matched as stored, before liveness). */
  status?: 'running' | RunStatus;
}

/**
 * The run history: one row per run with its measurements, its verdict and the whole result.
 * Every method may reject with an `InfrastructureError` naming the store and the cause.
 */
export interface HistoryStore extends AsyncDisposable {
  /** Records that a run started, status `running`; a resumed run (same id) is set running again and keeps its row. */
  begin(run: RunStart): Promise<void>;
  /** Stores the final result of a run (with or without a `begin` before it). */
  finish(result: RunResult): Promise<void>;
  /**
   * Records that a run recorded as `running` will never finish (its process died and what it left
   * was removed, e.g. by `lifeboat lab prune`): status `aborted`, verdict `incomplete`, finished
   * at `finishedAt` (default now), with `note` as its error. Returns whether a row changed: a run
   * that finished, or that is not recorded, is left as it is.
   */
  markAbandoned(runId: string, note: string, finishedAt?: number): Promise<boolean>;
  /** Runs, newest first. */
  list(opts?: ListOptions): Promise<HistoryEntry[]>;
  /** The stored result of one run, if it finished. */
  result(runId: string): Promise<RunResult | undefined>;
  /**
   * Shared stores only (PostgreSQL): takes the per-runbook lock that keeps runners on other
   * machines from drilling the same runbook at once; rejects with an `InfrastructureError`
   * naming the holder when another run has it. `onLost` is called if the lock is lost before
   * `release` (its connection dropped). A store without it (SQLite) leaves locking to the state
   * directory's lock file.
   */
  lockRunbook?(runbook: string, onLost?: (err: Error) => void): Promise<RunbookLock>;
  /** Records one backup policy check. */
  recordBackupCheck(check: BackupCheckRecord): Promise<void>;
  /** Recorded backup checks, newest first. */
  backupChecks(opts?: BackupCheckListOptions): Promise<BackupCheckRecord[]>;
  /** Releases the store; calling it again does nothing. */
  close(): Promise<void>;
}

/** A held per-runbook lock of a shared store. */
export interface RunbookLock {
  /** Records which run holds it (shown to runners it refuses). */
  setRunId(runId: string): Promise<void>;
  /** Gives it back; calling it again does nothing. */
  release(): Promise<void>;
}

export interface OpenStoreOptions {
  /** Lifeboat's state directory; the history is `<stateDir>/history.db`. */
  stateDir: string;
  /** A shared store instead (`postgres://user:password@host:port/db`); the password is a secret. */
  store?: string;
  /**
   * Only read: nothing is created or migrated, and a history that does not exist yet reads as
   * empty. `begin` and `finish` reject.
   */
  readOnly?: boolean;
}

/** Default number of runs `list` returns. */
export const DEFAULT_LIST_LIMIT = 20;

/**
 * A stored entry as a reader sees it: a `running` run whose process is gone is `abandoned`.
 * Shared by every store so the rule is the same whatever holds the rows.
 */
export function withLiveness(entry: HistoryEntry, alive: (pid: number) => boolean = isProcessAlive): HistoryEntry {
  // pid 0 or negative would signal a whole process group: only ask about real pids.
  if (entry.status !== 'running' || entry.pid === null || !Number.isInteger(entry.pid) || entry.pid <= 0) return entry;
  return alive(entry.pid) ? entry : { ...entry, status: 'abandoned' };
}
