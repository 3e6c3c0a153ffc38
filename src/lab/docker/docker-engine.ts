import type Dockerode from 'dockerode';
import { InfrastructureError, messageOf } from '../../errors.js';

/** The label every container and network of a lab carries: the run that owns it. */
export const RUN_LABEL = 'lifeboat.run-id';
/** The label naming the lab service a container runs. */
export const SERVICE_LABEL = 'lifeboat.service';

// testcontainers would pull a "ryuk" reaper image and an alpine image to find the host: neither can
// be pulled here, and Lifeboat removes what it starts itself (by label).
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';

/** The Docker engine, through testcontainers' runtime client (its dockerode). */
export interface DockerEngine {
  dockerode: Dockerode;
  client: Awaited<ReturnType<typeof import('testcontainers').getContainerRuntimeClient>>;
}

const HOW_TO_START = 'start a Docker engine (e.g. `dockerd &`, or `systemctl start docker`) and check `docker info`';

/** Connects to the Docker engine; no engine is an InfrastructureError saying how to start one. */
export async function connectEngine(): Promise<DockerEngine> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  let client: DockerEngine['client'];
  try {
    client = await getContainerRuntimeClient();
    await client.container.dockerode.ping();
  } catch (err) {
    throw new InfrastructureError(`no Docker engine answers: ${messageOf(err)}; ${HOW_TO_START}`, { cause: err });
  }
  return { client, dockerode: client.container.dockerode };
}

/** The image's id; fails with what to do when the image is not there (nothing is pulled: labs run on images built here). */
export async function requireImage(engine: DockerEngine, image: string): Promise<string> {
  try {
    return (await engine.dockerode.getImage(image).inspect()).Id;
  } catch {
    throw new InfrastructureError(
      `the lab image ${image} is not in the Docker engine; build it with \`npm run docker:build\` (or \`docker build -t ${image} docker/postgres-lab\`), or set lab.image to an image that has the PostgreSQL server binaries`,
    );
  }
}

/** Removes every container and network labelled with the run id; returns what was removed. */
export async function removeByRun(engine: DockerEngine, runId: string): Promise<{ containers: string[]; networks: string[] }> {
  const filters = { label: [`${RUN_LABEL}=${runId}`] };
  const containers = await engine.dockerode.listContainers({ all: true, filters });
  await Promise.all(containers.map((c) => engine.dockerode.getContainer(c.Id).remove({ force: true, v: true }).catch((err: unknown) => ignoreGone(err))));
  const networks = await engine.dockerode.listNetworks({ filters });
  for (const n of networks) await engine.dockerode.getNetwork(n.Id).remove().catch((err: unknown) => ignoreGone(err));
  return { containers: containers.map((c) => c.Id), networks: networks.map((n) => n.Id) };
}

function ignoreGone(err: unknown): void {
  if ((err as { statusCode?: number }).statusCode === 404) return;
  throw err;
}

/** Runs a command in a container and returns its exit code and output. */
export async function execIn(
  engine: DockerEngine,
  containerId: string,
  cmd: string[],
  options: { user?: string; signal?: AbortSignal } = {},
): Promise<{ exitCode: number; output: string }> {
  const container = engine.dockerode.getContainer(containerId);
  const exec = await container.exec({ Cmd: cmd, User: options.user ?? 'root', AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  // Docker multiplexes stdout and stderr with 8-byte frame headers: demultiplex into one buffer.
  const sink = { write: (b: Buffer) => chunks.push(Buffer.from(b)) };
  engine.dockerode.modem.demuxStream(stream, sink as never, sink as never);
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      stream.destroy();
      reject(options.signal!.reason);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    stream.on('end', () => resolve());
    stream.on('close', () => resolve());
    stream.on('error', reject);
  });
  const info = await exec.inspect();
  return { exitCode: info.ExitCode ?? -1, output: Buffer.concat(chunks).toString('utf8') };
}

/** Starts a command in a container and leaves it running (a server). */
export async function execDetached(engine: DockerEngine, containerId: string, cmd: string[], user = 'root'): Promise<void> {
  const exec = await engine.dockerode.getContainer(containerId).exec({ Cmd: cmd, User: user, AttachStdout: false, AttachStderr: false });
  await exec.start({ Detach: true });
}
