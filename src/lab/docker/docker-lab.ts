import { randomBytes } from 'node:crypto';
import { InvalidInputError } from '../../errors.js';
import { templatesEnabled } from '../template-cache.js';
import { startOrder } from '../topology.js';
import type { Lab, LabDriver, LabNetwork, LabOptions, LabService, LabServiceSpec, LabState } from '../types.js';
import { connectEngine, removeByRun, requireImage, RUN_LABEL, SERVICE_LABEL, execIn, type DockerEngine } from './docker-engine.js';
import { dataDirTemplate, type DataDirTemplate } from './data-dir-template.js';
import { DockerPostgresService } from './docker-service.js';

/** The image lab services run when the runbook names none (built by `npm run docker:build`). */
export const DEFAULT_LAB_IMAGE = 'lifeboat/postgres-lab:15';
// PID 1 of every service container: make the data directory's parent for the postgres user (one
// `docker exec` less per service), say it is ready, then idle until stopped.
const IDLE =
  "mkdir -p /var/lib/lifeboat && chown postgres /var/lib/lifeboat && chmod 700 /var/lib/lifeboat; echo lifeboat-lab-ready; trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done";

/** A lab of PostgreSQL servers as containers on two networks of their own, all labelled with the run id. */
class DockerLab implements Lab {
  readonly driver = 'docker' as const;
  readonly services = new Map<string, DockerPostgresService>();
  private tearingDown: Promise<void> | undefined;
  networks: Record<LabNetwork, string> = { client: '', replication: '' };
  private pgBinDir: Promise<string> | undefined;
  template: DataDirTemplate | undefined;

  constructor(
    readonly engine: DockerEngine,
    readonly runId: string,
    readonly image: string,
    private readonly options: LabOptions,
  ) {}

  get root(): string {
    return `docker:${this.runId}`;
  }

  /** The binaries' directory as recorded with the template image (unless `lab.pgBin` says otherwise). */
  knowPgBin(dir: string): void {
    if (!this.options.pgBin) this.pgBinDir = Promise.resolve(dir);
  }

  /** The directory of the server binaries in the image: `lab.pgBin`, or found on PATH / under /usr/lib/postgresql. */
  pgBin(containerId: string): Promise<string> {
    return (this.pgBinDir ??= this.options.pgBin
      ? Promise.resolve(this.options.pgBin)
      : execIn(this.engine, containerId, [
          'sh',
          '-c',
          'p=$(command -v postgres 2>/dev/null) && dirname "$p" || ls -d /usr/lib/postgresql/*/bin /usr/local/pgsql/bin 2>/dev/null | sort -V | tail -1',
        ]).then((r) => {
          const dir = r.output.trim().split('\n').at(-1) ?? '';
          if (r.exitCode !== 0 || !dir) throw new InvalidInputError(`no PostgreSQL server binaries found in the image ${this.image}; set lab.pgBin to their directory`);
          return dir;
        }));
  }

  context(containerId: string) {
    return {
      engine: this.engine,
      log: this.options.log,
      pgBin: () => this.pgBin(containerId),
      networks: this.networks,
      changed: () => this.changed(),
      ...(this.template ? { template: this.template } : {}),
    };
  }

  changed(): void {
    try {
      this.options.onStateChange?.(this.state());
    } catch (err) {
      this.options.log?.error({ err }, 'onStateChange failed');
    }
  }

  service(name: string): LabService {
    const s = this.services.get(name);
    if (!s) throw new InvalidInputError(`the lab has no service "${name}"`);
    return s;
  }

  state(): LabState {
    const services: LabState['services'] = {};
    for (const [name, s] of this.services) services[name] = s.state();
    return { driver: 'docker', root: this.root, runId: this.runId, image: this.image, services };
  }

  teardown(): Promise<void> {
    return (this.tearingDown ??= removeByRun(this.engine, this.runId).then((r) => {
      this.options.log?.info({ runId: this.runId, ...r }, 'docker lab removed');
    }));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.teardown();
  }
}

async function createNetwork(engine: DockerEngine, runId: string, role: LabNetwork): Promise<string> {
  const network = await engine.dockerode.createNetwork({ Name: `lifeboat-${runId}-${role}`, Driver: 'bridge', CheckDuplicate: true, Labels: { [RUN_LABEL]: runId, 'lifeboat.network': role } });
  return network.id;
}

/** Starts the services as containers, in topology order; on any failure everything labelled with the run is removed. */
async function startDockerLab(services: Record<string, LabServiceSpec>, options: LabOptions): Promise<Lab> {
  options.signal?.throwIfAborted();
  const started = Date.now();
  const order = startOrder(services);
  // Validation says so for runbooks; library callers get the same answer before anything starts.
  const empty = order.filter((name) => services[name]!.empty);
  if (empty.length) throw new InvalidInputError(`the docker driver cannot restore into a lab service, so it cannot start one empty: ${empty.join(', ')}`);
  const runId = options.runId ?? `lab-${randomBytes(4).toString('hex')}`;
  const image = options.image ?? DEFAULT_LAB_IMAGE;
  const engine = await connectEngine();
  const imageId = await requireImage(engine, image);
  const { GenericContainer, Wait, StartedNetwork } = await import('testcontainers');
  options.log?.debug({ ms: Date.now() - started }, 'docker engine and image found');
  const lab = new DockerLab(engine, runId, image, options);
  // The initdb settings of DockerPostgresService.initPrimary (and its trust lines for the networks).
  if (templatesEnabled()) {
    lab.template = await dataDirTemplate(engine, image, imageId, { initdb: '-k --auth=trust -U postgres --encoding=UTF8 --locale=C', hba: 'trust 0.0.0.0/0' });
    if (lab.template.pgBin) lab.knowPgBin(lab.template.pgBin);
  }
  const mark = (what: string) => options.log?.debug({ ms: Date.now() - started, what }, 'docker lab start');
  /** A service's container: it joins the replication network before it starts. */
  class LabContainer extends GenericContainer {
    constructor(private readonly service: string) {
      super(lab.template?.image ?? image);
    }
    protected override async containerCreated(containerId: string): Promise<void> {
      await engine.dockerode.getNetwork(lab.networks.replication).connect({ Container: containerId, EndpointConfig: { Aliases: [this.service] } });
    }
  }
  try {
    [lab.networks.client, lab.networks.replication] = await Promise.all([createNetwork(engine, runId, 'client'), createNetwork(engine, runId, 'replication')]);
    lab.changed();
    mark('networks created');
    const clientNetwork = new StartedNetwork(engine.client, `lifeboat-${runId}-client`, engine.dockerode.getNetwork(lab.networks.client));
    // Every container starts at once, and each server as soon as its container is up: a replica
    // made from the template at the same time as its primary, else once its upstream serves.
    const startContainer = async (name: string) => {
      const container = await new LabContainer(name)
        .withName(`lifeboat-${runId}-${name}`.replace(/[^A-Za-z0-9_.-]/g, '-'))
        .withLabels({ [RUN_LABEL]: runId, [SERVICE_LABEL]: name })
        .withNetwork(clientNetwork)
        .withExposedPorts(5432)
        .withUser('root')
        .withCommand(['sh', '-c', IDLE])
        .withWaitStrategy(Wait.forLogMessage('lifeboat-lab-ready'))
        .withStartupTimeout(60_000)
        .start();
      mark(`${name}: container started`);
      // Where the binaries are is looked up once, while the other containers start.
      void lab.pgBin(container.getId()).catch(() => {});
      const service = new DockerPostgresService(name, container.getId(), lab.context(container.getId()), services[name]!.settings ?? {}, container.getMappedPort(5432));
      service.fromTemplate = lab.template?.ready ?? false;
      lab.services.set(name, service);
      lab.changed();
      return service;
    };
    const containers = new Map(order.map((name) => [name, startContainer(name)]));
    const up = new Map<string, Promise<void>>();
    // Topology order: an upstream's promise exists before its replicas ask for it.
    for (const name of order) {
      const spec = services[name]!;
      up.set(
        name,
        (async () => {
          const service = await containers.get(name)!;
          options.signal?.throwIfAborted();
          const t = Date.now();
          if (spec.replicaOf === undefined) await service.initPrimary(options.signal);
          else {
            const upstream = spec.replicaOf;
            await service.initReplica(await containers.get(upstream)!, options.signal, {
              upstreamIsPrimary: services[upstream]!.replicaOf === undefined,
              upstreamUp: up.get(upstream)!,
            });
          }
          options.log?.info({ service: name, port: service.port, ms: Date.now() - t }, 'lab service up');
        })(),
      );
    }
    // Wait for all of them (even after a failure: nothing may still be starting during teardown).
    const outcomes = await Promise.allSettled([...containers.values(), ...up.values()]);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (err) {
    await lab.teardown().catch((e: unknown) => options.log?.error({ err: e }, 'teardown after failed start'));
    throw err;
  }
  options.log?.info({ runId, image, ms: Date.now() - started }, 'docker lab up');
  return lab;
}

/** Re-attaches to the containers of a journaled lab (the process that started them died). */
async function adoptDockerLab(state: LabState, options: LabOptions): Promise<Lab> {
  if (state.driver !== 'docker' || !state.runId) throw new InvalidInputError(`cannot adopt a "${state.driver}" lab as a docker lab`);
  const engine = await connectEngine();
  const lab = new DockerLab(engine, state.runId, state.image ?? DEFAULT_LAB_IMAGE, options);
  for (const n of await engine.dockerode.listNetworks({ filters: { label: [`${RUN_LABEL}=${state.runId}`] } })) {
    const role = n.Labels?.['lifeboat.network'];
    if (role === 'client' || role === 'replication') lab.networks[role] = n.Id;
  }
  for (const [name, s] of Object.entries(state.services)) {
    if (!s.containerId) continue;
    const service = new DockerPostgresService(name, s.containerId, lab.context(s.containerId), {}, s.port, { upstream: s.upstream, running: true });
    // The container may have been restarted or reconnected meanwhile; a removed one stays as journaled.
    await service.refreshPort().catch(() => {});
    lab.services.set(name, service);
  }
  return lab;
}

/** The docker driver: PostgreSQL servers as containers of any image that holds the server binaries. */
export const dockerDriver: LabDriver = {
  name: 'docker',
  start: startDockerLab,
  adopt: adoptDockerLab,
  async prune(state) {
    if (!state.runId) return;
    await removeByRun(await connectEngine(), state.runId);
  },
};
