import pg from 'pg';
import { z } from 'zod';
import { InvalidInputError, ProviderError, messageOf } from '../../errors.js';
import { raceAbort } from '../../util/abort.js';
import type { ProviderContext, ResourceRef } from '../types.js';

/** Fields of a `postgres` resource: any existing server, given by DSN or host/port list. */
export const PostgresResource = z.object({
  dsn: z.string().optional().describe('Connection string, e.g. postgres://app:${env:PGPASSWORD}@db:5432/app. Never logged.'),
  hosts: z.array(z.string().regex(/^[^:\s]+(:\d{1,5})?$/, { message: 'expected host or host:port' })).min(1).optional().describe('host:port list; the first that answers is used.'),
  database: z.string().optional(),
  user: z.string().optional(),
  password: z.string().optional().describe('Use ${env:NAME}; never logged.'),
  sslmode: z.enum(['disable', 'require', 'no-verify']).optional(),
});

/** Fields of a `lab.postgres` resource: a service of the runbook's lab. */
export const LabPostgresResource = z.object({
  service: z.string().describe('Name of a service under lab.services.'),
});

/** The pg client settings for each host of a resource (one per host of a host list). */
export function pgConfigsFor(ctx: ProviderContext, ref: ResourceRef): pg.ClientConfig[] {
  const s = ref.spec;
  if (ref.type === 'lab.postgres') {
    if (!ctx.lab) throw new InvalidInputError(`resource ${ref.name} is a lab service but no lab is running`);
    return [ctx.lab.service(String(s.service)).connection()];
  }
  if (ref.type !== 'postgres') throw new InvalidInputError(`resource ${ref.name} (${ref.type}) is not a PostgreSQL resource`);
  const base: pg.ClientConfig = {
    database: s.database as string | undefined,
    user: s.user as string | undefined,
    password: s.password as string | undefined,
    ssl: s.sslmode === 'require' ? true : s.sslmode === 'no-verify' ? { rejectUnauthorized: false } : undefined,
  };
  if (typeof s.dsn === 'string') return [{ ...base, connectionString: s.dsn }];
  const hosts = (s.hosts as string[] | undefined) ?? ['127.0.0.1:5432'];
  return hosts.map((h) => {
    const [host, port] = h.split(':');
    return { ...base, host, port: port ? Number(port) : 5432 };
  });
}

/** A short, secret-free label for a pg config (host:port/db). */
export function describeConfig(c: pg.ClientConfig): string {
  if (c.connectionString) {
    try {
      const u = new URL(c.connectionString);
      return `${u.hostname}:${u.port || 5432}${u.pathname}`;
    } catch {
      return '(dsn)';
    }
  }
  return `${c.host ?? 'localhost'}:${c.port ?? 5432}`;
}

/** Forcibly closes a client whose server may hang (paused) or be gone. */
export function destroyClient(client: pg.Client): void {
  const stream = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
  stream?.destroy();
  client.end().catch(() => {});
}

/** Connects a client, honouring the signal; the client never crashes the process on error. */
export async function connect(config: pg.ClientConfig, signal: AbortSignal): Promise<pg.Client> {
  if (signal.aborted) throw signal.reason;
  const client = new pg.Client({ ...config, connectionTimeoutMillis: 0 });
  client.on('error', () => {});
  const onAbort = () => destroyClient(client);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    // pg never settles connect() when the client is ended while connecting: race the signal.
    await raceAbort(client.connect(), signal);
    return client;
  } catch (err) {
    destroyClient(client);
    if (signal.aborted) throw signal.reason;
    throw new ProviderError(`cannot connect to ${describeConfig(config)}: ${messageOf(err)}`, { cause: err });
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Runs a query on a connected client, destroying the client if the signal aborts. */
export async function query<R extends pg.QueryResultRow = pg.QueryResultRow>(
  client: pg.Client,
  sql: string,
  params: unknown[],
  signal: AbortSignal,
): Promise<pg.QueryResult<R>> {
  if (signal.aborted) throw signal.reason;
  const onAbort = () => destroyClient(client);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await raceAbort(client.query<R>(sql, params), signal);
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Connects to the first host of a resource that answers, runs one query, closes. */
export async function withResource<T>(
  ctx: ProviderContext,
  ref: ResourceRef,
  signal: AbortSignal,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const errors: string[] = [];
  for (const cfg of pgConfigsFor(ctx, ref)) {
    let client: pg.Client;
    try {
      client = await connect(cfg, signal);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      errors.push(messageOf(err));
      continue;
    }
    try {
      return await fn(client);
    } finally {
      client.end().catch(() => {});
    }
  }
  throw new ProviderError(`${ref.name}: ${errors.join('; ')}`);
}
