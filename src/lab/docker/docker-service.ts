import type { Logger } from 'pino';
import { InfrastructureError, ProviderError, messageOf } from '../../errors.js';
import { query, withClient, type PgConfig } from '../../util/pg-client.js';
import { isStreamingTo, pollUntil, servesDataDir, walSenderPids } from '../postgres-checks.js';
import { serverSettingArgs } from '../postgres-settings.js';
import type { LabCapability, LabNetwork, LabService, LabServiceState } from '../types.js';
import type { DataDirTemplate } from './data-dir-template.js';
import { execDetached, execIn, type DockerEngine } from './docker-engine.js';

/** Where a service keeps its data inside its container. */
export const DATA_DIR = '/var/lib/lifeboat/data';
const LOG_FILE = '/var/lib/lifeboat/server.log';
const PORT = 5432;
/** How long a server may take to accept connections, or a replica to start streaming. */
const READY_DEADLINE_MS = 30_000;
const EXIT_DEADLINE_MS = 10_000;

/** What a service needs from its lab. */
export interface DockerServiceContext {
  engine: DockerEngine;
  log?: Logger;
  /** Directory of the PostgreSQL binaries inside the image. */
  pgBin: () => Promise<string>;
  /** The lab's networks, by role: Docker network ids. */
  networks: Record<LabNetwork, string>;
  /** Called after the port, state or upstream changed (journal it). */
  changed: () => void;
  /** Where a fresh primary's data directory of this image is kept: made from the first initdb. */
  template?: DataDirTemplate;
}


type Method = 'rewind' | 'basebackup';

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * One PostgreSQL server of the Docker lab: a container whose PID 1 idles while the driver runs
 * initdb, pg_basebackup, pg_rewind and postgres in it itself (`docker exec`), so any image with
 * the server binaries works. The host reaches it through the port published on the client
 * network; replicas reach their upstream by name on the replication network.
 */
export class DockerPostgresService implements LabService {
  readonly host = '127.0.0.1';
  readonly capabilities: ReadonlySet<LabCapability> = new Set<LabCapability>(['hold-wal', 'disconnect']);
  private running = false;
  private held = false;
  private mappedPort: number;
  private upstream: string | undefined;
  /**
   * The container was created from the template image: it holds the template data directory, so
   * the primary needs no initdb, and a replica of such a primary no base backup (see {@link initReplica}).
   */
  fromTemplate = false;

  constructor(
    readonly name: string,
    readonly containerId: string,
    private readonly ctx: DockerServiceContext,
    private readonly settings: Record<string, string | number | boolean>,
    port: number,
    state?: Partial<LabServiceState> & { running?: boolean },
  ) {
    this.mappedPort = port;
    this.upstream = state?.upstream;
    this.running = state?.running ?? false;
  }

  get port(): number {
    return this.mappedPort;
  }

  /** Containers have their own pid namespace: no host pid to give. */
  get pid(): number | undefined {
    return undefined;
  }

  connection(): PgConfig {
    return { host: this.host, port: this.mappedPort, user: 'postgres', database: 'postgres' };
  }

  state(): LabServiceState {
    return { name: this.name, kind: 'postgres', host: this.host, port: this.mappedPort, dataDir: DATA_DIR, upstream: this.upstream, containerId: this.containerId };
  }

  isRunning(): boolean {
    return this.running;
  }

  private async sh(script: string, user: 'root' | 'postgres', signal?: AbortSignal): Promise<{ exitCode: number; output: string }> {
    const bin = await this.ctx.pgBin();
    return execIn(this.ctx.engine, this.containerId, ['sh', '-c', `PATH=${shellQuote(bin)}:$PATH; ${script}`], { user, signal });
  }

  private async mustSh(what: string, script: string, user: 'root' | 'postgres', signal?: AbortSignal, ErrorType: typeof InfrastructureError | typeof ProviderError = InfrastructureError): Promise<string> {
    const r = await this.sh(script, user, signal);
    if (r.exitCode !== 0) throw new ErrorType(`${what} of "${this.name}" failed (exit code ${r.exitCode}):\n${r.output.trimEnd().split('\n').slice(-15).join('\n')}`);
    return r.output;
  }

  /** Reads the port Docker published for 5432 now (it changes after a reconnect to the client network). */
  async refreshPort(): Promise<void> {
    const info = await this.ctx.engine.dockerode.getContainer(this.containerId).inspect();
    const binding = info.NetworkSettings.Ports?.[`${PORT}/tcp`]?.[0];
    if (!binding) return;
    const port = Number(binding.HostPort);
    if (port !== this.mappedPort) {
      this.mappedPort = port;
      this.ctx.changed();
    }
  }


  /** initdb (with checksums, for pg_rewind), unless the template was restored, and start. */
  async initPrimary(signal?: AbortSignal): Promise<void> {
    if (!this.fromTemplate) {
      // No template yet: initdb, and keep its output (before the server first starts) for the next labs.
      await this.mustSh(
        'initdb',
        `rm -rf ${DATA_DIR} && initdb -D ${DATA_DIR} -k --auth=trust -N -U postgres --encoding=UTF8 --locale=C >/dev/null && printf '%s\\n' 'host all all 0.0.0.0/0 trust' 'host replication all 0.0.0.0/0 trust' >> ${DATA_DIR}/pg_hba.conf`,
        'postgres',
        signal,
      );
      const template = this.ctx.template;
      if (template) await template.save(this.containerId, await this.ctx.pgBin()).catch((err: unknown) => this.ctx.log?.warn({ err: messageOf(err) }, 'could not keep a template data directory'));
    }
    this.ctx.log?.debug({ service: this.name, fromTemplate: this.fromTemplate }, 'data directory ready');
    await this.launch(signal);
  }

  /**
   * Makes this service a streaming replica of `upstream`, started, streaming. When both were given
   * the same template and `upstream` is a primary started from it, the copy already in the container
   * is the primary's data directory as it was at its clean shutdown — a cold backup of it — so the
   * server starts as a standby from there (with the primary's WAL since then streamed) at the same
   * time as the primary, without a base backup (nor the sync of the whole file system a base backup
   * taken with --no-sync costs at startup). Otherwise: pg_basebackup over the replication network.
   */
  async initReplica(
    upstream: DockerPostgresService,
    signal?: AbortSignal,
    options: { upstreamIsPrimary?: boolean; upstreamUp?: Promise<void> } = {},
  ): Promise<void> {
    if (this.fromTemplate && upstream.fromTemplate && options.upstreamIsPrimary) {
      const standby = `primary_conninfo = '${this.conninfo(upstream)}'`;
      await this.launch(signal, `touch ${DATA_DIR}/standby.signal && printf '%s\\n' ${shellQuote(standby)} >> ${DATA_DIR}/postgresql.auto.conf`);
      await options.upstreamUp;
    } else {
      await options.upstreamUp;
      await this.mustSh('pg_basebackup', this.basebackupScript(upstream), 'postgres', signal);
      this.ctx.log?.debug({ service: this.name }, 'data directory ready');
      await this.launch(signal);
    }
    this.ctx.log?.debug({ service: this.name, fromTemplate: this.fromTemplate }, 'server accepts connections');
    await this.waitStreamingFrom(upstream, signal);
    this.setUpstream(upstream.name);
  }

  private conninfo(upstream: LabService): string {
    return `host=${upstream.name} port=${PORT} user=postgres dbname=postgres application_name=${this.name}`;
  }

  private basebackupScript(upstream: LabService): string {
    return `rm -rf ${DATA_DIR} && pg_basebackup -d ${shellQuote(this.conninfo(upstream))} -D ${DATA_DIR} -R -X stream -c fast --no-sync`;
  }

  /**
   * Starts postgres in the container (detached) and waits until the host can query it. `prepare`, a
   * shell command run first in the same `docker exec` (its failure ends up in the log), sets the
   * data directory up.
   */
  private async launch(signal?: AbortSignal, prepare = 'true'): Promise<void> {
    const bin = await this.ctx.pgBin();
    const args = ['-D', DATA_DIR, ...serverSettingArgs(this.name, this.settings, { port: String(PORT), listen_addresses: '*', unix_socket_directories: '/tmp' })];
    await execDetached(
      this.ctx.engine,
      this.containerId,
      ['sh', '-c', `exec >>${LOG_FILE} 2>&1; rm -f ${DATA_DIR}/postmaster.pid; ${prepare} && exec ${shellQuote(`${bin}/postgres`)} ${args.map(shellQuote).join(' ')}`],
      'postgres',
    );
    const outcome = await pollUntil(() => servesDataDir(this.connection(), DATA_DIR), { deadlineMs: READY_DEADLINE_MS, intervalMs: 20, signal });
    if (!outcome.ok) {
      const log = await this.sh(`tail -n 20 ${LOG_FILE}`, 'root').catch(() => ({ output: '' }));
      throw new InfrastructureError(`"${this.name}" did not accept connections: ${outcome.reason}\n${log.output.trimEnd()}`);
    }
    this.running = true;
    this.ctx.changed();
  }

  private async waitStreamingFrom(upstream: LabService, signal?: AbortSignal): Promise<void> {
    const outcome = await pollUntil(() => isStreamingTo(upstream.connection(), this.name), { deadlineMs: READY_DEADLINE_MS, intervalMs: 20, signal });
    if (!outcome.ok) throw new InfrastructureError(`"${this.name}" did not start streaming from "${upstream.name}": ${outcome.reason}`);
  }

  /**
   * Whether a live process of the postgres user is left in the container. Zombies do not count:
   * the backends of a killed postmaster are re-parented to the container's PID 1, which may reap
   * them late.
   */
  private async anyServerProcess(): Promise<boolean> {
    const script =
      'u=$(id -u postgres); for d in /proc/[0-9]*; do st=; uid=; ' +
      'while read -r k v r; do case "$k" in State:) st=$v;; Uid:) uid=$v;; esac; done < "$d/status" 2>/dev/null; ' +
      '[ "$uid" = "$u" ] && [ "$st" != Z ] && exit 0; done; exit 1';
    const r = await execIn(this.ctx.engine, this.containerId, ['sh', '-c', script], { user: 'root' });
    return r.exitCode === 0;
  }

  private async waitGone(deadlineMs: number): Promise<boolean> {
    const r = await pollUntil(async () => !(await this.anyServerProcess()), { deadlineMs, intervalMs: 20 });
    return r.ok;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.unpauseIfPaused();
    if (signal === 'SIGKILL') {
      // Every server process at once (held WAL senders too: they would keep the shared memory).
      await execIn(this.ctx.engine, this.containerId, ['sh', '-c', 'kill -KILL -1 2>/dev/null; true'], { user: 'postgres' });
    } else {
      await this.sh(`kill -CONT -1 2>/dev/null; kill -${signal.replace(/^SIG/, '')} $(head -1 ${DATA_DIR}/postmaster.pid) 2>/dev/null; true`, 'postgres');
    }
    if (!(await this.waitGone(EXIT_DEADLINE_MS))) throw new ProviderError(`"${this.name}" still has processes ${EXIT_DEADLINE_MS} ms after ${signal}`);
    this.running = false;
    this.held = false;
    this.ctx.changed();
  }

  async stop(timeoutMs = EXIT_DEADLINE_MS): Promise<void> {
    if (!(await this.anyServerProcess())) {
      this.running = false;
      return;
    }
    await this.unpauseIfPaused();
    await this.sh(`kill -CONT -1 2>/dev/null; kill -INT $(head -1 ${DATA_DIR}/postmaster.pid) 2>/dev/null; true`, 'postgres');
    if (!(await this.waitGone(timeoutMs))) {
      this.ctx.log?.warn({ service: this.name, timeoutMs }, 'fast shutdown timed out, killing');
      await this.kill('SIGKILL');
      return;
    }
    this.running = false;
    this.held = false;
    this.ctx.changed();
  }

  async start(signal?: AbortSignal): Promise<void> {
    if (await this.anyServerProcess()) return;
    await this.launch(signal);
  }

  async pause(): Promise<void> {
    await this.ctx.engine.dockerode.getContainer(this.containerId).pause();
  }

  async unpause(): Promise<void> {
    await this.unpauseIfPaused();
  }

  private async unpauseIfPaused(): Promise<void> {
    const info = await this.ctx.engine.dockerode.getContainer(this.containerId).inspect();
    if (info.State.Paused) await this.ctx.engine.dockerode.getContainer(this.containerId).unpause();
  }

  async holdWal(signal: AbortSignal): Promise<{ walSenderPids: number[] }> {
    const pids = await walSenderPids(this.connection(), signal);
    if (pids.length === 0) throw new ProviderError(`"${this.name}": no WAL sender to hold (no replica is streaming)`);
    // The pids are the server's own, in the container's pid namespace: signal them in there.
    await this.mustSh('holding the WAL senders', `kill -STOP ${pids.join(' ')}`, 'postgres', signal, ProviderError);
    this.held = true;
    this.ctx.changed();
    return { walSenderPids: pids };
  }

  async releaseWal(): Promise<{ released: number[] }> {
    const out = await this.sh(
      `for s in /proc/[0-9]*/stat; do set -- $(cat "$s" 2>/dev/null); [ "$3" = T ] && kill -CONT "$1" 2>/dev/null && echo "$1"; done; true`,
      'postgres',
    );
    this.held = false;
    return { released: out.output.split(/\s+/).filter(Boolean).map(Number) };
  }

  isWalHeld(): boolean {
    return this.held;
  }

  async disconnect(network: LabNetwork): Promise<void> {
    await this.ctx.engine.dockerode.getNetwork(this.ctx.networks[network]).disconnect({ Container: this.containerId, Force: true });
    this.ctx.log?.info({ service: this.name, network }, 'disconnected from the network');
  }

  async reconnect(network: LabNetwork): Promise<void> {
    // Aliases are lost with a disconnect: the replication network needs the service's name back.
    await this.ctx.engine.dockerode
      .getNetwork(this.ctx.networks[network])
      .connect({ Container: this.containerId, ...(network === 'replication' ? { EndpointConfig: { Aliases: [this.name] } } : {}) });
    if (network === 'client') await this.refreshPort();
    this.ctx.log?.info({ service: this.name, network, port: this.mappedPort }, 'reconnected to the network');
  }

  async rejoinAsReplicaOf(source: LabService, signal?: AbortSignal): Promise<{ method: Method }> {
    if (source.name === this.name) throw new ProviderError(`"${this.name}" cannot replicate from itself`, { retryable: false });
    const started = Date.now();
    await this.stop();
    // Without a checkpoint on the new primary pg_rewind sees the old timeline and reports "no rewind required".
    await withClient(source.connection(), (c, s) => query(c, 'checkpoint', [], s), 15_000).catch((err: unknown) => {
      throw new ProviderError(`checkpoint on "${source.name}" failed: ${messageOf(err)}`, { cause: err });
    });
    let method: Method = 'rewind';
    const rewind = await this.rewindFrom(source, signal);
    if (rewind.exitCode === 0) {
      try {
        await this.launch(signal);
        await this.waitStreamingFrom(source, signal);
      } catch (err) {
        if (signal?.aborted) throw err;
        this.ctx.log?.warn({ service: this.name, err: messageOf(err) }, 'rewound server did not stream, falling back to pg_basebackup');
        await this.kill('SIGKILL');
        method = 'basebackup';
      }
    } else {
      this.ctx.log?.warn({ service: this.name, output: rewind.output.slice(-2000) }, 'pg_rewind failed, falling back to pg_basebackup');
      method = 'basebackup';
    }
    if (method === 'basebackup') {
      await this.mustSh('pg_basebackup', this.basebackupScript(source), 'postgres', signal, ProviderError);
      await this.launch(signal);
      await this.waitStreamingFrom(source, signal);
    }
    this.setUpstream(source.name);
    this.ctx.log?.info({ service: this.name, source: source.name, method, ms: Date.now() - started }, 'rejoined as replica');
    return { method };
  }

  /**
   * pg_rewind -R from `source`. A target that crashed is first brought to a clean shutdown by a
   * single-user run with the lab's settings: pg_rewind's own reads only postgresql.conf
   * (wal_keep_size 0), so its end-of-recovery checkpoint recycles the WAL the rewind then needs.
   */
  private async rewindFrom(source: LabService, signal?: AbortSignal): Promise<{ exitCode: number; output: string }> {
    const rewind = `pg_rewind -D ${DATA_DIR} --source-server=${shellQuote(this.conninfo(source))} -R --no-sync --no-ensure-shutdown`;
    const first = await this.sh(rewind, 'postgres', signal);
    if (first.exitCode === 0 || !/shut down cleanly/.test(first.output)) return first;
    const args = ['--single', '-F', '-D', DATA_DIR, ...serverSettingArgs(this.name, this.settings, { port: String(PORT), listen_addresses: '', unix_socket_directories: '/tmp' }), 'postgres'];
    // Single-user mode refuses standby mode; the rewind writes standby.signal again.
    const recovery = await this.sh(`rm -f ${DATA_DIR}/standby.signal ${DATA_DIR}/recovery.signal; postgres ${args.map(shellQuote).join(' ')} </dev/null`, 'postgres', signal);
    if (recovery.exitCode !== 0) return { exitCode: recovery.exitCode, output: `crash recovery in single-user mode failed:\n${recovery.output}` };
    return this.sh(rewind, 'postgres', signal);
  }

  private setUpstream(upstream: string | undefined): void {
    if (this.upstream === upstream) return;
    this.upstream = upstream;
    this.ctx.changed();
  }
}
