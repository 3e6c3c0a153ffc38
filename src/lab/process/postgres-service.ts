import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, open, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { InfrastructureError, ProviderError, messageOf } from '../../errors.js';
import { pollUntil, isStreamingTo, walSenderPids } from '../postgres-checks.js';
import type { LabCapability, LabService, LabServiceState, RestoreSource } from '../types.js';
import { query, withClient, type PgConfig } from '../../util/pg-client.js';
import { freePort } from './free-port.js';
import { INITDB_ARGS, type ProcessDataDirTemplate } from './data-dir-template.js';
import type { PgBinaries } from './pg-binaries.js';
import { launchPostmaster, postmasterArgs, type PostmasterConfig } from './postmaster.js';
import {
  descendantPids,
  isAlive,
  pidsUsing,
  readCwd,
  readStat,
  signalPids,
  signalTree,
  waitForExit,
  waitForPidsGone,
} from './proc.js';
import { chownToRunAs, runTool, type RunAs, type ToolResult } from './run-as.js';

const HOST = '127.0.0.1';
/** How long a server may take to accept connections, or a replica to start streaming. */
const READY_DEADLINE_MS = 30_000;
/** How long a signalled process tree may take to disappear. */
const EXIT_DEADLINE_MS = 10_000;
const PORT_ATTEMPTS = 5;
/** Written next to the data directory so an adopted lab can restart a server with its settings. */
const SPEC_FILE = 'service.json';

/** What a service needs from its lab. Binaries and user are looked up lazily so that an adopted lab can be torn down without them. */
export interface ServiceContext {
  root: string;
  tools: () => { bins: PgBinaries; runAs: RunAs };
  log?: Logger;
  /** Called after the pid, port or upstream changed. */
  changed: () => void;
  /** A cached fresh data directory for these binaries (skips initdb), if templates are on. */
  template?: Promise<ProcessDataDirTemplate | undefined>;
}

/** A running postmaster: our own child, or a pid adopted from a journaled state. */
interface Postmaster {
  pid: number;
  child?: ChildProcess;
}

type Method = 'rewind' | 'basebackup';

function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function describeFailure(what: string, r: ToolResult): string {
  return `${what} failed (${r.signal ?? `exit code ${r.code}`}):\n${tail(r.stderr || r.stdout)}`;
}

/** libpq connection string for `source`, naming this service so the upstream's pg_stat_replication can tell it apart. */
function conninfo(source: PgConfig, applicationName: string): string {
  return `host=${source.host ?? HOST} port=${source.port} user=${source.user ?? 'postgres'} dbname=postgres application_name=${applicationName}`;
}

/** One PostgreSQL server of the process lab: a postmaster we run as a local process. */
export class PostgresService implements LabService {
  readonly host = HOST;
  readonly dataDir: string;
  private readonly dir: string;
  private readonly logPath: string;
  private currentPort: number;
  private postmaster: Postmaster | undefined;
  private upstream: string | undefined;

  private constructor(
    readonly name: string,
    private readonly ctx: ServiceContext,
    port: number,
    private readonly settings: Record<string, string | number | boolean>,
    dataDir?: string,
  ) {
    this.dir = dataDir ? dirname(dataDir) : join(ctx.root, name);
    this.dataDir = dataDir ?? join(this.dir, 'data');
    this.logPath = join(this.dir, 'server.log');
    this.currentPort = port;
  }

  /** A service about to be created in the lab root (its directory is made here). */
  static async create(
    name: string,
    ctx: ServiceContext,
    settings: Record<string, string | number | boolean>,
  ): Promise<PostgresService> {
    const service = new PostgresService(name, ctx, await freePort(HOST), settings);
    await mkdir(service.dir, { mode: 0o700 });
    await writeFile(join(service.dir, SPEC_FILE), JSON.stringify({ settings }, null, 2));
    await chownToRunAs(ctx.tools().runAs, service.dir);
    return service;
  }

  /** A service of a journaled lab; its postmaster is adopted only if that pid still runs on its data directory. */
  static adopt(state: LabServiceState, ctx: ServiceContext): PostgresService {
    let settings: Record<string, string | number | boolean> = {};
    try {
      settings = JSON.parse(readFileSync(join(dirname(state.dataDir), SPEC_FILE), 'utf8')).settings ?? {};
    } catch {
      // Without the file a restart uses the defaults; teardown does not need it.
    }
    const service = new PostgresService(state.name, ctx, state.port, settings, state.dataDir);
    service.upstream = state.upstream;
    if (state.pid !== undefined && isAlive(state.pid) && service.ownsPid(state.pid)) {
      service.postmaster = { pid: state.pid };
    }
    return service;
  }

  get port(): number {
    return this.currentPort;
  }

  get pid(): number | undefined {
    return this.isRunning() ? this.postmaster?.pid : undefined;
  }

  /** A process lab can hold back WAL shipping (SIGSTOP of its WAL senders) and restore backups, but has no networks to cut. */
  readonly capabilities: ReadonlySet<LabCapability> = new Set<LabCapability>(['hold-wal', 'restore']);

  connection(): PgConfig {
    return { host: this.host, port: this.port, user: 'postgres', database: 'postgres' };
  }

  state(): LabServiceState {
    return {
      name: this.name,
      kind: 'postgres',
      host: this.host,
      port: this.port,
      dataDir: this.dataDir,
      pid: this.postmaster?.pid,
      upstream: this.upstream,
    };
  }

  isRunning(): boolean {
    const pm = this.postmaster;
    if (!pm) return false;
    const running = pm.child ? pm.child.exitCode === null && pm.child.signalCode === null : isAlive(pm.pid);
    if (!running) this.setPostmaster(undefined);
    return running;
  }

  childPids(): number[] {
    const pid = this.pid;
    return pid === undefined ? [] : descendantPids(pid);
  }

  /** Runs initdb (with data checksums, so pg_rewind works), or copies the template of an earlier one, and starts the server. */
  async initPrimary(signal?: AbortSignal): Promise<void> {
    const template = await this.ctx.template;
    if (!(await this.restoreTemplate(template))) {
      const { bins } = this.ctx.tools();
      const result = await this.tool(bins.initdb, ['-D', this.dataDir, ...INITDB_ARGS], signal);
      if (result.code !== 0) throw new InfrastructureError(describeFailure(`initdb of "${this.name}"`, result));
      // Kept before the server first starts: a template is initdb's output and nothing else.
      await template?.save(this.dataDir).catch((err: unknown) => this.ctx.log?.warn({ err: messageOf(err) }, 'could not keep a template data directory'));
    }
    signal?.throwIfAborted();
    await this.launch('create', signal);
  }

  /** Copies the template into the data directory; on any failure (e.g. the cache cleared meanwhile) initdb runs instead. */
  private async restoreTemplate(template: ProcessDataDirTemplate | undefined): Promise<boolean> {
    if (!template) return false;
    try {
      if (await template.restore(this.dataDir)) return true;
    } catch (err) {
      this.ctx.log?.warn({ err: messageOf(err), template: template.path }, 'could not copy the template data directory; running initdb');
      await rm(this.dataDir, { recursive: true, force: true });
    }
    return false;
  }

  /** Clones `upstream` with pg_basebackup, starts the copy and waits until it streams. */
  async initReplica(upstream: LabService, signal?: AbortSignal): Promise<void> {
    const backup = await this.basebackup(upstream, signal);
    if (backup.code !== 0) throw new InfrastructureError(describeFailure(`pg_basebackup of "${this.name}"`, backup));
    await this.launch('create', signal);
    await this.waitStreamingFrom(upstream, 'create', signal);
    this.setUpstream(upstream.name);
  }

  async start(signal?: AbortSignal): Promise<void> {
    if (this.isRunning()) return;
    if (!existsSync(join(this.dataDir, 'PG_VERSION')))
      throw new ProviderError(`"${this.name}" has no data (a lab service declared empty: true): fill it with postgres.restore first`, { retryable: false });
    await this.clearLeftovers();
    await this.launch('restart', signal);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const pm = this.postmaster;
    if (!pm || !this.isRunning()) return;
    const pids = signalTree(pm.pid, signal);
    // A stopped process only acts on SIGKILL; wake it so that other signals are delivered.
    if (signal !== 'SIGKILL' && signal !== 'SIGSTOP') signalPids(pids, 'SIGCONT');
    this.ctx.log?.info({ service: this.name, signal, pids }, 'signalled postmaster and children');
    const [postmasterGone, others] = await Promise.all([
      waitForExit(pm.pid, EXIT_DEADLINE_MS, pm.child),
      waitForPidsGone(pids.slice(1), EXIT_DEADLINE_MS),
    ]);
    if (!postmasterGone || others.length > 0) {
      throw new ProviderError(
        `"${this.name}" still has processes ${[...(postmasterGone ? [] : [pm.pid]), ...others].join(', ')} ` +
          `${EXIT_DEADLINE_MS} ms after ${signal}`,
      );
    }
    this.setPostmaster(undefined);
  }

  async stop(timeoutMs = EXIT_DEADLINE_MS): Promise<void> {
    const pm = this.postmaster;
    if (!pm || !this.isRunning()) return;
    signalTree(pm.pid, 'SIGCONT');
    signalPids([pm.pid], 'SIGINT'); // fast shutdown
    if (!(await waitForExit(pm.pid, timeoutMs, pm.child))) {
      this.ctx.log?.warn({ service: this.name, timeoutMs }, 'fast shutdown timed out, killing');
      await this.kill('SIGKILL');
      return;
    }
    this.setPostmaster(undefined);
    await this.clearLeftovers();
  }

  async pause(): Promise<void> {
    const pm = this.postmaster;
    if (!pm || !this.isRunning()) {
      throw new ProviderError(`cannot pause "${this.name}": it is not running`, { retryable: false });
    }
    // Stop the postmaster first so it forks no more; then catch children forked meanwhile.
    const stopped = new Set<number>();
    for (let round = 0; round < 10; round++) {
      const fresh = [pm.pid, ...descendantPids(pm.pid)].filter((p) => !stopped.has(p));
      if (fresh.length === 0) break;
      signalPids(fresh, 'SIGSTOP');
      for (const p of fresh) stopped.add(p);
    }
    // Return only once every process is really stopped.
    const isStopped = (pid: number): boolean => {
      const state = readStat(pid)?.state;
      return state === undefined || state === 'T' || state === 't' || state === 'Z';
    };
    await pollUntil(async () => [...stopped].every(isStopped), { deadlineMs: 1_000, intervalMs: 5 });
  }

  async unpause(): Promise<void> {
    const pm = this.postmaster;
    if (pm && this.isRunning()) signalTree(pm.pid, 'SIGCONT');
  }

  async holdWal(signal: AbortSignal): Promise<{ walSenderPids: number[] }> {
    if (!this.isRunning()) throw new ProviderError(`cannot hold WAL shipping of "${this.name}": it is not running`, { retryable: false });
    const pids = await walSenderPids(this.connection(), signal);
    if (pids.length === 0) throw new ProviderError(`"${this.name}": no WAL sender to hold (no replica is streaming)`);
    const children = new Set(this.childPids());
    for (const pid of pids) {
      if (!children.has(pid)) throw new ProviderError(`"${this.name}": WAL sender ${pid} is not a process of this lab service`, { retryable: false });
    }
    signalPids(pids, 'SIGSTOP');
    return { walSenderPids: pids };
  }

  async releaseWal(): Promise<{ released: number[] }> {
    const held = this.childPids().filter((pid) => readStat(pid)?.state === 'T');
    signalPids(held, 'SIGCONT');
    return { released: held };
  }

  isWalHeld(): boolean {
    return this.childPids().some((pid) => readStat(pid)?.state === 'T');
  }

  async rejoinAsReplicaOf(source: LabService, signal?: AbortSignal): Promise<{ method: Method }> {
    if (source.name === this.name) {
      throw new ProviderError(`"${this.name}" cannot replicate from itself`, { retryable: false });
    }
    const started = Date.now();
    await this.stop();
    await this.clearLeftovers();
    // Without a checkpoint on the new primary pg_rewind sees the old timeline and reports "no rewind required".
    const sourceIsPrimary = await withClient(
      source.connection(),
      async (c, s) => {
        await query(c, 'checkpoint', [], s);
        return !(await query<{ r: boolean }>(c, 'select pg_is_in_recovery() as r', [], s)).rows[0]?.r;
      },
      15_000,
    ).catch((err: unknown) => {
      throw new ProviderError(`checkpoint on "${source.name}" failed: ${messageOf(err)}`, { cause: err });
    });
    // The source was promoted behind our back (e.g. pg_promote()): it streams from nobody now.
    if (sourceIsPrimary && source instanceof PostgresService) source.setUpstream(undefined);

    let method: Method = 'rewind';
    const rewind = await this.rewindFrom(source, signal);
    if (rewind.code === 0) {
      try {
        await this.launch('restart', signal);
        await this.waitStreamingFrom(source, 'restart', signal);
      } catch (err) {
        if (signal?.aborted) throw err;
        this.ctx.log?.warn({ service: this.name, err }, 'rewound server did not stream, falling back to pg_basebackup');
        await this.kill('SIGKILL');
        method = 'basebackup';
      }
    } else {
      this.ctx.log?.warn({ service: this.name, stderr: tail(rewind.stderr) }, 'pg_rewind failed, falling back to pg_basebackup');
      method = 'basebackup';
    }
    if (method === 'basebackup') {
      await rm(this.dataDir, { recursive: true, force: true });
      const backup = await this.basebackup(source, signal);
      if (backup.code !== 0) throw new ProviderError(describeFailure(`pg_basebackup of "${this.name}"`, backup));
      await this.launch('restart', signal);
      await this.waitStreamingFrom(source, 'restart', signal);
    }
    this.setUpstream(source.name);
    this.ctx.log?.info({ service: this.name, source: source.name, method, ms: Date.now() - started }, 'rejoined as replica');
    return { method };
  }

  async restore(source: RestoreSource, signal?: AbortSignal): Promise<void> {
    const started = Date.now();
    // Its data is about to be replaced: no clean shutdown needed.
    if (this.isRunning()) await this.kill('SIGKILL');
    await this.clearLeftovers();
    await rm(this.dataDir, { recursive: true, force: true });
    this.setUpstream(undefined);
    if (source.kind === 'logical') {
      await this.loadPrivately(source.load, signal);
      await this.launch('create', signal);
    } else {
      await this.unpackBaseBackup(source.file, signal);
      try {
        await this.launch('create', signal);
      } catch (err) {
        if (signal?.aborted) throw err;
        throw new ProviderError(`the server did not start on the restored base backup ${source.file}: ${messageOf(err)}`, { cause: err, retryable: false });
      }
    }
    this.ctx.log?.info({ service: this.name, source: source.kind, ms: Date.now() - started }, 'restored');
  }

  /**
   * initdb, then a postmaster on a private port for `load`, stopped once it is done: clients
   * (probes) know only the service's port, so none sees, or writes into, a half-loaded database.
   */
  private async loadPrivately(load: (connection: PgConfig, signal?: AbortSignal) => Promise<void>, signal?: AbortSignal): Promise<void> {
    const { bins } = this.ctx.tools();
    const init = await this.tool(bins.initdb, ['-D', this.dataDir, '-k', '--auth=trust', '-N', '-U', 'postgres', '--encoding=UTF8', '--locale=C'], signal);
    if (init.code !== 0) throw new ProviderError(describeFailure(`initdb of "${this.name}"`, init));
    const port = await freePort(HOST);
    const result = await launchPostmaster({ ...this.postmasterConfig(), port }, { deadlineMs: READY_DEADLINE_MS, signal, log: this.ctx.log });
    if (!result.ok) throw new ProviderError(`"${this.name}" did not start for the load on port ${port}: ${result.reason}\n${result.logTail}`);
    const child = result.child;
    try {
      await load({ host: HOST, port, user: 'postgres', database: 'postgres' }, signal);
    } finally {
      signalPids([child.pid!], 'SIGINT'); // fast shutdown
      if (!(await waitForExit(child.pid!, EXIT_DEADLINE_MS, child))) {
        signalTree(child.pid!, 'SIGKILL');
        await waitForExit(child.pid!, EXIT_DEADLINE_MS, child);
      }
      await this.clearLeftovers();
    }
  }

  /** Unpacks a tar base backup (gzip or not) into the data directory, as the run-as user; we open the file, so it need not be theirs. */
  private async unpackBaseBackup(file: string, signal?: AbortSignal): Promise<void> {
    await mkdir(this.dataDir, { mode: 0o700 });
    await chownToRunAs(this.ctx.tools().runAs, this.dataDir);
    const handle = await open(file, 'r').catch((err: unknown) => {
      throw new ProviderError(`cannot read the base backup ${file}: ${messageOf(err)}`, { cause: err, retryable: false });
    });
    let result: ToolResult;
    try {
      const head = Buffer.alloc(2);
      await handle.read(head, 0, 2, 0);
      const gzip = head[0] === 0x1f && head[1] === 0x8b;
      result = await runTool(this.ctx.tools().runAs, 'tar', ['-x', ...(gzip ? ['-z'] : []), '-f', '-', '-C', this.dataDir], { cwd: this.dir, signal, stdinFd: handle.fd });
    } finally {
      await handle.close();
    }
    if (result.code !== 0) throw new ProviderError(describeFailure(`unpacking the base backup ${file} into "${this.name}"`, result), { retryable: false });
    // A tar of something else unpacks fine: only a base backup carries backup_label.
    for (const f of ['PG_VERSION', 'backup_label']) {
      if (!existsSync(join(this.dataDir, f))) throw new ProviderError(`${file} is not a PostgreSQL base backup (no ${f} in it)`, { retryable: false });
    }
  }

  /** Whether `pid` is a process of this service (guards against a journaled pid reused by another program). */
  private ownsPid(pid: number): boolean {
    const cwd = readCwd(pid);
    return cwd === this.dataDir || (cwd?.startsWith(`${this.dataDir}/`) ?? false);
  }

  private setPostmaster(pm: Postmaster | undefined): void {
    if (this.postmaster === pm) return;
    this.postmaster = pm;
    this.ctx.changed();
  }

  /** @internal Used by the lab and by rejoin when a promotion is observed. */
  setUpstream(upstream: string | undefined): void {
    if (this.upstream === upstream) return;
    this.upstream = upstream;
    this.ctx.changed();
  }

  private async tool(file: string, args: string[], signal?: AbortSignal): Promise<ToolResult> {
    const result = await runTool(this.ctx.tools().runAs, file, args, { cwd: this.dir, signal });
    this.ctx.log?.debug({ service: this.name, file, code: result.code, ms: result.durationMs }, 'tool finished');
    return result;
  }

  /**
   * pg_rewind -R from `source`. A target that crashed is first brought to a clean shutdown by a
   * single-user run of our own: pg_rewind's built-in one reads only postgresql.conf (wal_keep_size 0),
   * so its end-of-recovery checkpoint recycles the WAL the rewind then needs.
   */
  private async rewindFrom(source: LabService, signal?: AbortSignal): Promise<ToolResult> {
    const { bins } = this.ctx.tools();
    const args = [
      `--target-pgdata=${this.dataDir}`,
      `--source-server=${conninfo(source.connection(), this.name)}`,
      '-R',
      '--no-sync',
      '--no-ensure-shutdown',
    ];
    const first = await this.tool(bins.pgRewind, args, signal);
    if (first.code === 0 || !/shut down cleanly/.test(first.stderr)) return first;
    // Single-user mode refuses standby mode; the rewind writes standby.signal again.
    for (const f of ['standby.signal', 'recovery.signal']) await rm(join(this.dataDir, f), { force: true });
    const recovery = await this.tool(bins.postgres, ['--single', '-F', ...postmasterArgs(this.postmasterConfig()), 'postgres'], signal);
    if (recovery.code !== 0) return { ...recovery, stderr: `crash recovery in single-user mode failed:\n${recovery.stderr}` };
    return this.tool(bins.pgRewind, args, signal);
  }

  private basebackup(source: LabService, signal?: AbortSignal): Promise<ToolResult> {
    return this.tool(
      this.ctx.tools().bins.pgBasebackup,
      ['-d', conninfo(source.connection(), this.name), '-D', this.dataDir, '-R', '-X', 'stream', '-c', 'fast', '--no-sync'],
      signal,
    );
  }

  /**
   * Kills processes left on the data directory by a postmaster that died without them (a stopped
   * WAL sender keeps the shared memory and blocks any restart) and removes a stale postmaster.pid.
   */
  private async clearLeftovers(): Promise<void> {
    const leftovers = pidsUsing(this.dataDir);
    if (leftovers.length > 0) {
      this.ctx.log?.warn({ service: this.name, pids: leftovers }, 'killing processes left on the data directory');
      signalPids(leftovers, 'SIGKILL');
      await waitForPidsGone(leftovers, EXIT_DEADLINE_MS);
    }
    // Both lock files name the pid that held them; PostgreSQL refuses to start while that pid
    // exists, even as a zombie waiting to be reaped.
    for (const lockFile of [join(this.dataDir, 'postmaster.pid'), join(this.ctx.root, `.s.PGSQL.${this.port}.lock`)]) {
      const content = await readFile(lockFile, 'utf8').catch(() => undefined);
      if (content === undefined) continue;
      const pid = Number(content.split('\n')[0]);
      if (!isAlive(pid) || !this.ownsPid(pid)) await unlink(lockFile).catch(() => {});
    }
  }

  private postmasterConfig(): PostmasterConfig {
    const { bins, runAs } = this.ctx.tools();
    return {
      bins,
      runAs,
      name: this.name,
      dataDir: this.dataDir,
      socketDir: this.ctx.root,
      logPath: this.logPath,
      port: this.port,
      settings: this.settings,
    };
  }

  /**
   * Starts the postmaster and waits until it accepts connections. When creating the lab a port taken
   * meanwhile is replaced by a new one; a restart keeps its port (replicas point at it).
   */
  private async launch(mode: 'create' | 'restart', signal?: AbortSignal): Promise<void> {
    const attempts = mode === 'create' ? PORT_ATTEMPTS : 1;
    for (let attempt = 1; ; attempt++) {
      const result = await launchPostmaster(this.postmasterConfig(), {
        deadlineMs: READY_DEADLINE_MS,
        signal,
        log: this.ctx.log,
      });
      if (result.ok) {
        const child = result.child;
        this.setPostmaster({ pid: child.pid!, child });
        child.once('exit', (code, sig) => {
          if (this.postmaster?.child !== child) return;
          this.ctx.log?.info({ service: this.name, pid: child.pid, code, signal: sig }, 'postmaster exited');
          this.setPostmaster(undefined);
        });
        this.ctx.log?.info({ service: this.name, pid: child.pid, port: this.port, ms: result.ms }, 'server accepts connections');
        return;
      }
      if (result.portInUse && attempt < attempts) {
        this.ctx.log?.warn({ service: this.name, port: this.port }, 'port taken, retrying with another');
        this.currentPort = await freePort(HOST);
        this.ctx.changed();
        continue;
      }
      const message = `"${this.name}" did not start on port ${this.port}: ${result.reason}\n${this.logPath}:\n${result.logTail}`;
      throw mode === 'create' ? new InfrastructureError(message) : new ProviderError(message);
    }
  }

  private async waitStreamingFrom(upstream: LabService, mode: 'create' | 'restart', signal?: AbortSignal): Promise<void> {
    const outcome = await pollUntil(() => isStreamingTo(upstream.connection(), this.name), {
      deadlineMs: READY_DEADLINE_MS,
      intervalMs: 20,
      signal,
      failFast: () => (this.isRunning() ? undefined : `"${this.name}" exited`),
    });
    if (outcome.ok) return;
    const message = `"${this.name}" is not streaming from "${upstream.name}": ${outcome.reason}\n${this.logPath}:\n${tail(
      await readFile(this.logPath, 'utf8').catch(() => ''),
    )}`;
    throw mode === 'create' ? new InfrastructureError(message) : new ProviderError(message);
  }
}
