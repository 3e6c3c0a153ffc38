import type { ClientConfig } from 'pg';

/** How a lab service is run. */
export type LabDriverName = 'process' | 'docker';

/** What the runbook asks of one lab service. */
export interface LabServiceSpec {
  kind: 'postgres';
  /** Name of the service this one replicates from (a streaming replica). */
  replicaOf?: string;
  /** Extra server settings (`name: value`), passed as `-c name=value`. */
  settings?: Record<string, string | number | boolean>;
}

/** The serialisable state of a running lab, journaled so that `resume` can re-adopt it. */
export interface LabState {
  driver: LabDriverName;
  /** Root directory the lab owns (removed at teardown). */
  root: string;
  services: Record<string, LabServiceState>;
}

export interface LabServiceState {
  name: string;
  kind: 'postgres';
  host: string;
  port: number;
  dataDir: string;
  /** Postmaster pid while running, undefined when stopped. */
  pid?: number;
  /** Service this one currently streams from, if it is a replica. */
  upstream?: string;
}

/** One running lab service (a PostgreSQL server). */
export interface LabService {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Postmaster pid, undefined while stopped. */
  readonly pid: number | undefined;
  /** Connection settings for `pg` (superuser, trust auth on 127.0.0.1). */
  connection(): ClientConfig;
  /** SIGKILL (or another signal) to the postmaster and every child, then reap. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Graceful stop (fast shutdown), escalating to SIGKILL after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
  /** Start a stopped service again (same data dir and port) and wait until it accepts connections. */
  start(signal?: AbortSignal): Promise<void>;
  /** SIGSTOP the postmaster and all its children. */
  pause(): Promise<void>;
  /** SIGCONT the postmaster and all its children. */
  unpause(): Promise<void>;
  /** Whether the postmaster process is alive. */
  isRunning(): boolean;
  /** Pids of the postmaster's children (backends, WAL senders, ...). */
  childPids(): number[];
  /**
   * Rebuild this (stopped or dead) service as a streaming replica of `source`:
   * CHECKPOINT on source, pg_rewind -R, fall back to pg_basebackup; start; wait until streaming.
   */
  rejoinAsReplicaOf(source: LabService, signal?: AbortSignal): Promise<{ method: 'rewind' | 'basebackup' }>;
  state(): LabServiceState;
}

/** A running lab: started by `lab up`, removed by `teardown()` (idempotent). */
export interface Lab extends AsyncDisposable {
  readonly driver: LabDriverName;
  readonly root: string;
  service(name: string): LabService;
  readonly services: ReadonlyMap<string, LabService>;
  state(): LabState;
  /** Kill every process and remove every directory of the lab. Safe to call twice. */
  teardown(): Promise<void>;
}
