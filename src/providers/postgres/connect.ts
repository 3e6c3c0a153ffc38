import { z } from 'zod';
import { InvalidInputError, ProviderError, messageOf } from '../../errors.js';
import { closeClient, connect, type PgClient, type PgConfig } from '../../util/pg-client.js';
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

/** The pg client settings of a `postgres` resource: one per host of a host list. */
export function postgresResourceConfigs(ref: ResourceRef): PgConfig[] {
  const s = ref.spec;
  const base: PgConfig = {
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

/**
 * The pg client settings for each host of any resource with the `postgres` capability (a DSN, a
 * lab service, later an RDS endpoint or a container): the resource type says how to reach it.
 */
export function pgConfigsFor(ctx: ProviderContext, ref: ResourceRef): PgConfig[] {
  const def = ctx.resourceType(ref.type);
  if (!def?.postgres) throw new InvalidInputError(`resource ${ref.name} (${ref.type}) is not a PostgreSQL resource`);
  return def.postgres(ref, ctx);
}

/**
 * How many hosts a resource has, for a probe that makes one pool per host. A resource that uses a
 * step's output cannot be resolved before that step completed: it counts as one host, whose
 * connections fail (a failed check, not a crash) until the output exists.
 */
export function pgConfigCount(ctx: ProviderContext, ref: ResourceRef): number {
  try {
    return pgConfigsFor(ctx, ref).length;
  } catch (err) {
    if (err instanceof InvalidInputError) return 1;
    throw err;
  }
}

/** Connects to the first host of a resource that answers, runs `fn`, closes. */
export async function withResource<T>(ctx: ProviderContext, ref: ResourceRef, signal: AbortSignal, fn: (client: PgClient) => Promise<T>): Promise<T> {
  const errors: string[] = [];
  for (const cfg of pgConfigsFor(ctx, ref)) {
    let client: PgClient;
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
      void closeClient(client);
    }
  }
  throw new ProviderError(`${ref.name}: ${errors.join('; ')}`);
}
