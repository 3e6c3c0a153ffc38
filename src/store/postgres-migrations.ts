/** The schema a shared PostgreSQL history lives in. */
export const POSTGRES_SCHEMA = 'lifeboat';

/**
 * The PostgreSQL history schema as an ordered list of steps: step N brings a database from
 * version N-1 to N (the one row of `lifeboat.schema_version`). Steps are only ever appended; a
 * released step never changes. Each runs in a transaction under an advisory lock, so runners that
 * start together migrate once.
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  // 1: runs (as in SQLite, with real timestamps and the host that ran each run) and the holders
  // of the per-runbook advisory locks (for the message a refused runner prints).
  `create table lifeboat.runs (
      run_id text primary key,
      runbook text not null,
      file text not null,
      mode text not null,
      status text not null,
      verdict text,
      started_at timestamptz not null,
      finished_at timestamptz,
      rto_ms double precision,
      rpo_ms double precision,
      lost_writes integer,
      error text,
      result_json json,
      pid integer,
      host text
    );
    create index runs_runbook on lifeboat.runs (runbook, started_at desc);
    create table lifeboat.run_locks (
      runbook text primary key,
      run_id text,
      host text not null,
      pid integer not null,
      locked_at timestamptz not null
    );`,
  // 2: backup policy checks (lifeboat backups check).
  `create table lifeboat.backup_checks (
      id bigserial primary key,
      policy text not null,
      resource text not null,
      file text not null,
      checked_at timestamptz not null,
      compliant boolean not null,
      result_json json not null,
      host text
    );
    create index backup_checks_policy on lifeboat.backup_checks (policy, checked_at desc);`,
];

/** The schema version this Lifeboat writes. */
export const POSTGRES_SCHEMA_VERSION = POSTGRES_MIGRATIONS.length;

/**
 * The advisory lock migrations run under, in the two-key space (runbook locks use single 64-bit
 * keys, a space PostgreSQL keeps apart): 'lfbt' and 1.
 */
export const MIGRATION_LOCK_KEYS = [0x6c666274, 1] as const;
