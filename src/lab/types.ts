import type { Logger } from 'pino';
import type { PgConfig } from '../util/pg-client.js';

/** How a lab service is run. */
export type LabDriverName = 'process' | 'docker';

/**
 * What a lab service can do beyond kill/stop/start/pause: `hold-wal` (hold back WAL shipping to
 * replicas), `disconnect` (cut it off a network), `restore` (be filled from a backup: see
 * {@link LabService.restore}). Actions that need one declare it, and
 * validation checks the runbook's driver offers it.
 */
export type LabCapability = 'hold-wal' | 'disconnect' | 'restore';

/** What the runbook asks of one lab service. */
export interface LabServiceSpec {
  kind: 'postgres';
  /** Name of the service this one replicates from (a streaming replica). */
  replicaOf?: string;
  /** Extra server settings (`name: value`), passed as `-c name=value`. */
  settings?: Record<string, string | number | boolean>;
  /**
   * Not started at lab up: the service gets its port and directory but no data, and stays down
   * until a restore fills it (`postgres.restore`). The target of restore drills.
   */
  empty?: boolean;
}

/**
 * What {@link LabService.restore} fills a service with: a tar-format base backup that holds its
 * own WAL (`pg_basebackup -Ft -X fetch`, gzip-compressed or not), as a file on this machine; or a
 * logical load into a fresh cluster (`initdb`), which `load` performs (e.g. pg_restore) through
 * the connection it is given — a private one: clients reach the service only once it is loaded.
 */
export type RestoreSource =
  | { kind: 'base-backup'; file: string }
  | { kind: 'logical'; load(connection: PgConfig, signal?: AbortSignal): Promise<void> };

/** The serialisable state of a running lab, journaled so that `resume` can re-adopt it. */
export interface LabState {
  driver: LabDriverName;
  /** Root directory the lab owns (removed at teardown); for container labs, `docker:<run id>`. */
  root: string;
  services: Record<string, LabServiceState>;
  /** The run that owns the lab (container labs carry it as the label `lifeboat.run-id`). */
  runId?: string;
  /** Container labs: the image the services run. */
  image?: string;
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
  /** Container labs: the container of the service. */
  containerId?: string;
}

/** One running lab service (a PostgreSQL server). */
export interface LabService {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Postmaster pid, undefined while stopped. */
  readonly pid: number | undefined;
  /** Connection settings for `pg` (superuser, trust auth on 127.0.0.1). */
  connection(): PgConfig;
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
  /** What this service can do beyond the basics; actions that need more check it here. */
  readonly capabilities: ReadonlySet<LabCapability>;
  /**
   * `hold-wal`: stop shipping WAL to the replicas (without pausing replay), so a failover loses
   * the writes acknowledged meanwhile. Undone by {@link releaseWal}, a kill or teardown.
   */
  holdWal?(signal: AbortSignal): Promise<{ walSenderPids: number[] }>;
  /** `hold-wal`: ship WAL again. */
  releaseWal?(): Promise<{ released: number[] }>;
  /** `hold-wal`: whether WAL shipping is held right now (used by resume). */
  isWalHeld?(): boolean;
  /**
   * `disconnect`: cut the service off a lab network — `replication` (the network between the
   * database services: a partition) or `client` (the one that publishes its port: the host loses it too).
   */
  disconnect?(network: LabNetwork): Promise<void>;
  /** `disconnect`: join the network again (the published port may change; `connection()` follows it). */
  reconnect?(network: LabNetwork): Promise<void>;
  /**
   * Rebuild this (stopped or dead) service as a streaming replica of `source`:
   * CHECKPOINT on source, pg_rewind -R, fall back to pg_basebackup; start; wait until streaming.
   */
  rejoinAsReplicaOf(source: LabService, signal?: AbortSignal): Promise<{ method: 'rewind' | 'basebackup' }>;
  /**
   * `restore`: replace whatever data this service holds (it is stopped first) with `source`,
   * start it and wait until it accepts connections. A base backup is recovered to its end (its
   * own WAL); it is a primary afterwards.
   */
  restore?(source: RestoreSource, signal?: AbortSignal): Promise<void>;
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

/** The networks of a container lab. */
export type LabNetwork = 'replication' | 'client';

/** What every driver gets when it starts or adopts a lab. */
export interface LabOptions {
  /** The run the lab belongs to (container labs label everything with it). */
  runId?: string;
  /** The image lab services run in (container drivers). */
  image?: string;
  /** Where the PostgreSQL server binaries are, when not on the image's PATH (container drivers). */
  pgBin?: string;
  /** Aborts the lab start (what was started is torn down). */
  signal?: AbortSignal;
  log?: Logger;
  /** Called with the whole state whenever a pid, port or upstream changes (journal it for `resume`). */
  onStateChange?: (state: LabState) => void;
  /** Directory in which the lab keeps its files; defaults to the OS temp dir. */
  root?: string;
}

/** A way of running lab services (local processes, containers). */
export interface LabDriver {
  readonly name: LabDriverName;
  /** Starts every service in topology order (see lab/topology.ts) and waits until replicas stream. */
  start(services: Record<string, LabServiceSpec>, options: LabOptions): Promise<Lab>;
  /** Re-attaches to a lab journaled by a process that died (for `resume`). */
  adopt(state: LabState, options: LabOptions): Lab | Promise<Lab>;
  /** Removes what is left of a lab whose run died and will not be resumed (`lab prune`). */
  prune(state: LabState, options: LabOptions): Promise<void>;
}

/**
 * A lab driver as the registry lists it: what its services can do is known without loading it
 * (validation needs that), the driver itself is loaded only when a drill starts a lab.
 */
export interface LabDriverEntry {
  name: LabDriverName;
  description: string;
  /** What every service of this driver can do (see LabCapability). */
  capabilities: readonly LabCapability[];
  load(): Promise<LabDriver>;
}
