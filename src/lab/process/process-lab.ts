import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfrastructureError, InvalidInputError, messageOf } from '../../errors.js';
import { startOrder } from '../topology.js';
import type { Lab, LabDriver, LabOptions, LabService, LabServiceSpec, LabState } from '../types.js';
import { templatesEnabled } from '../template-cache.js';
import { processDataDirTemplate, type ProcessDataDirTemplate } from './data-dir-template.js';
import { findPgBinaries, type PgBinaries } from './pg-binaries.js';
import { PostgresService, type ServiceContext } from './postgres-service.js';
import { isAlive, pidsUsing, signalPids, waitForPidsGone } from './proc.js';
import { chownToRunAs, resolveRunAs, type RunAs } from './run-as.js';

/** Options of {@link startProcessLab} and {@link adoptProcessLab}; the lab root `lifeboat-lab-XXXXXX` is made in `root`. */
export type ProcessLabOptions = LabOptions;

const TEARDOWN_DEADLINE_MS = 15_000;

/** A lab of PostgreSQL servers running as local processes under one root directory. */
class ProcessLab implements Lab {
  readonly driver = 'process' as const;
  readonly services = new Map<string, PostgresService>();
  private tearingDown: Promise<void> | undefined;

  constructor(
    readonly root: string,
    private readonly options: ProcessLabOptions,
  ) {}

  /** The context its services share: tools are looked up on first use. */
  context(template?: Promise<ProcessDataDirTemplate | undefined>): ServiceContext {
    let tools: { bins: PgBinaries; runAs: RunAs } | undefined;
    return {
      root: this.root,
      log: this.options.log,
      tools: () => (tools ??= { bins: findPgBinaries(), runAs: resolveRunAs() }),
      changed: () => this.changed(),
      ...(template ? { template } : {}),
    };
  }

  changed(): void {
    if (!this.options.onStateChange) return;
    try {
      this.options.onStateChange(this.state());
    } catch (err) {
      this.options.log?.error({ err }, 'onStateChange failed');
    }
  }

  service(name: string): LabService {
    const service = this.services.get(name);
    if (!service) throw new InvalidInputError(`the lab has no service "${name}"`);
    return service;
  }

  state(): LabState {
    const services: LabState['services'] = {};
    for (const [name, s] of this.services) services[name] = s.state();
    return { driver: this.driver, root: this.root, services };
  }

  teardown(): Promise<void> {
    return (this.tearingDown ??= this.removeEverything());
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.teardown();
  }

  /**
   * Wakes and kills every process of the lab (postmasters, their children, and anything whose
   * command line or working directory lies under the root, such as a pg_basebackup), then removes the root.
   */
  private async removeEverything(): Promise<void> {
    const started = Date.now();
    const deadline = started + TEARDOWN_DEADLINE_MS;
    const known = new Set<number>();
    for (const s of this.services.values()) {
      const pid = s.pid;
      if (pid !== undefined) [pid, ...s.childPids()].forEach((p) => known.add(p));
    }
    let killed = 0;
    for (;;) {
      const pids = [...new Set([...[...known].filter(isAlive), ...pidsUsing(this.root)])];
      if (pids.length === 0) break;
      if (Date.now() > deadline) {
        this.options.log?.error({ pids, root: this.root }, 'lab processes survived SIGKILL; leaving the root in place');
        throw new InfrastructureError(`lab processes ${pids.join(', ')} survived SIGKILL; ${this.root} left in place`);
      }
      signalPids(pids, 'SIGCONT');
      signalPids(pids, 'SIGKILL');
      killed += pids.length;
      await waitForPidsGone(pids, 2_000);
    }
    // Let our own children be reaped (and the services notice) before the directory goes.
    await Promise.all([...this.services.values()].map((s) => s.kill('SIGKILL').catch(() => {})));
    await rm(this.root, { recursive: true, force: true });
    this.options.log?.info({ root: this.root, killed, ms: Date.now() - started }, 'lab torn down');
  }
}

/**
 * Starts PostgreSQL servers as local processes: each primary from initdb, each replica by
 * pg_basebackup from its upstream (in dependency order), waiting until every server accepts
 * connections and every replica streams. On failure or abort everything started is torn down.
 */
export async function startProcessLab(
  services: Record<string, LabServiceSpec>,
  options: ProcessLabOptions = {},
): Promise<Lab> {
  const { signal, log } = options;
  signal?.throwIfAborted();
  const order = startOrder(services);
  const bins = findPgBinaries();
  const runAs = resolveRunAs();
  const started = Date.now();
  const root = await mkdtemp(join(options.root ?? tmpdir(), 'lifeboat-lab-'));
  const lab = new ProcessLab(root, options);
  try {
    await chownToRunAs(runAs, root);
    // initdb is most of a primary's start: its output is kept once per server version (LIFEBOAT_NO_TEMPLATE=1: never).
    const template = templatesEnabled()
      ? processDataDirTemplate(bins, runAs).catch((err: unknown) => {
          log?.warn({ err: messageOf(err) }, 'no template data directory; running initdb');
          return undefined;
        })
      : undefined;
    const ctx = lab.context(template);
    lab.changed(); // journal the root before anything runs in it
    for (const name of order) {
      const spec = services[name]!;
      const service = await PostgresService.create(name, ctx, spec.settings ?? {});
      lab.services.set(name, service);
      lab.changed();
      // An empty service keeps its port and directory, and waits for a restore.
      if (spec.empty) continue;
      const t = Date.now();
      if (spec.replicaOf === undefined) await service.initPrimary(signal);
      else await service.initReplica(lab.services.get(spec.replicaOf)!, signal);
      log?.info({ service: name, port: service.port, ms: Date.now() - t }, 'lab service up');
    }
  } catch (err) {
    await lab.teardown().catch((teardownErr: unknown) => log?.error({ err: teardownErr }, 'teardown after failed start'));
    throw err;
  }
  log?.info({ root, bin: bins.dir, ms: Date.now() - started }, 'process lab up');
  return lab;
}

/**
 * Re-attaches to a lab journaled by a process that has died: its postmasters (no longer our
 * children) are signalled by pid and polled for exit. Binaries are looked up only when needed.
 */
export function adoptProcessLab(state: LabState, options: ProcessLabOptions = {}): Lab {
  if (state.driver !== 'process') throw new InvalidInputError(`cannot adopt a "${state.driver}" lab as a process lab`);
  const lab = new ProcessLab(state.root, options);
  const ctx = lab.context();
  for (const [name, s] of Object.entries(state.services)) lab.services.set(name, PostgresService.adopt(s, ctx));
  return lab;
}

/** The process driver: PostgreSQL servers as local processes of this machine. */
export const processDriver: LabDriver = {
  name: 'process',
  start: startProcessLab,
  adopt: adoptProcessLab,
  prune: (state, options) => adoptProcessLab(state, options).teardown(),
};
