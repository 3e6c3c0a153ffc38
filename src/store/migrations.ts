/**
 * The SQLite history schema as an ordered list of steps: step N brings a database from version
 * N-1 to N (`PRAGMA user_version`). Steps are only ever appended; a released step never changes,
 * because databases already carry its result.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  // 1: the schema Lifeboat created before migrations existed, word for word. Files from then have
  // user_version 0 and this table already, so `if not exists` makes the step a no-op for them.
  `create table if not exists runs (
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
    create index if not exists runs_runbook on runs (runbook, started_at);`,
  // 2: the process running a run, so that a run whose process died reads as abandoned.
  `alter table runs add column pid integer;`,
  // 3: backup policy checks (lifeboat backups check).
  `create table if not exists backup_checks (
      id integer primary key autoincrement,
      policy text not null,
      resource text not null,
      file text not null,
      checked_at text not null,
      compliant integer not null,
      result_json text not null
    );
    create index if not exists backup_checks_policy on backup_checks (policy, checked_at);`,
];

/** The schema version this Lifeboat writes. */
export const SQLITE_SCHEMA_VERSION = SQLITE_MIGRATIONS.length;
