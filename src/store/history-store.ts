import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from '../engine/run-result.js';
import { InfrastructureError } from '../errors.js';

/** One row of the run history. */
export interface HistoryEntry {
  runId: string;
  runbook: string;
  file: string;
  mode: string;
  status: string;
  verdict: string | null;
  startedAt: string;
  finishedAt: string | null;
  rtoMs: number | null;
  rpoMs: number | null;
  lostWrites: number | null;
  error: string | null;
}

/**
 * Local run history in SQLite (`<stateDir>/history.db`): one row per run with its measurements,
 * verdict and the whole result (timeline and steps) as JSON.
 */
export class HistoryStore {
  private db: Database.Database;

  constructor(stateDir: string) {
    try {
      mkdirSync(stateDir, { recursive: true });
      this.db = new Database(join(stateDir, 'history.db'));
    } catch (err) {
      throw new InfrastructureError(`cannot open the run history in ${stateDir}: ${(err as Error).message}`, { cause: err });
    }
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`create table if not exists runs (
      run_id text primary key,
      runbook text not null,
      file text not null,
      mode text not null,
      status text not null,
      verdict text,
      started_at text not null,
      finished_at text,
      rto_ms real,
      rpo_ms real,
      lost_writes integer,
      error text,
      result_json text
    );
    create index if not exists runs_runbook on runs (runbook, started_at);`);
  }

  /** Records that a run started (status `running`). */
  begin(r: { runId: string; runbook: string; file: string; mode: string; startedAt: number }): void {
    this.db
      .prepare(
        `insert into runs (run_id, runbook, file, mode, status, started_at) values (?, ?, ?, ?, 'running', ?)
         on conflict (run_id) do update set status = 'running'`,
      )
      .run(r.runId, r.runbook, r.file, r.mode, new Date(r.startedAt).toISOString());
  }

  /** Stores the final result of a run. */
  finish(r: RunResult): void {
    this.db
      .prepare(
        `insert into runs (run_id, runbook, file, mode, status, verdict, started_at, finished_at, rto_ms, rpo_ms, lost_writes, error, result_json)
         values (@runId, @runbook, @file, @mode, @status, @verdict, @startedAt, @finishedAt, @rtoMs, @rpoMs, @lostWrites, @error, @json)
         on conflict (run_id) do update set status = @status, verdict = @verdict, finished_at = @finishedAt, rto_ms = @rtoMs,
           rpo_ms = @rpoMs, lost_writes = @lostWrites, error = @error, result_json = @json`,
      )
      .run({
        runId: r.runId,
        runbook: r.runbook,
        file: r.file,
        mode: r.mode,
        status: r.status,
        verdict: r.verdict,
        startedAt: new Date(r.startedAt).toISOString(),
        finishedAt: new Date(r.finishedAt).toISOString(),
        rtoMs: r.measurements.rtoMs ?? null,
        rpoMs: r.measurements.rpoMs ?? null,
        lostWrites: r.measurements.lostWrites ?? null,
        error: r.error ?? null,
        json: JSON.stringify(r),
      });
  }

  /** Runs, newest first. */
  list(opts: { runbook?: string; limit?: number } = {}): HistoryEntry[] {
    const rows = this.db
      .prepare(
        `select run_id as runId, runbook, file, mode, status, verdict, started_at as startedAt, finished_at as finishedAt,
                rto_ms as rtoMs, rpo_ms as rpoMs, lost_writes as lostWrites, error
         from runs ${opts.runbook ? 'where runbook = @runbook' : ''} order by started_at desc limit @limit`,
      )
      .all(opts.runbook ? { runbook: opts.runbook, limit: opts.limit ?? 20 } : { limit: opts.limit ?? 20 }) as HistoryEntry[];
    return rows;
  }

  /** The stored result of one run, if it finished. */
  result(runId: string): RunResult | undefined {
    const row = this.db.prepare('select result_json as json from runs where run_id = ?').get(runId) as { json: string | null } | undefined;
    return row?.json ? (JSON.parse(row.json) as RunResult) : undefined;
  }

  close(): void {
    this.db.close();
  }
}
