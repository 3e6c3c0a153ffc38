import { z } from 'zod';
import { ProviderError, messageOf } from '../../errors.js';
import type { PgConfig } from '../../util/pg-client.js';
import type { ProviderContext, ResourceRef, ResourceTypeDef } from '../types.js';
import { awsCommon } from './aws-fields.js';
import { awsSessionOf, targetOf, type AwsSession, type PgEndpoint } from './aws-session.js';

const DbId = z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,62}$|^\$\{.+\}$/, { message: 'expected a DB identifier (letters, digits, hyphens)' });

/** Connection fields that give an RDS resource the `postgres` capability (the host is read from the instance). */
const pgFields = {
  database: z.string().optional().describe('postgres.* probes: database to connect to.'),
  user: z.string().optional().describe('postgres.* probes: user name.'),
  password: z.string().optional().describe('postgres.* probes: password; use ${env:NAME}, never logged.'),
  sslmode: z.enum(['disable', 'require', 'no-verify']).optional().describe('postgres.* probes: TLS (RDS: require or no-verify).'),
};

/** The endpoint of an RDS instance or cluster (the writer endpoint for a cluster), read with one Describe call. */
export async function describeEndpoint(session: AwsSession, ref: ResourceRef, signal?: AbortSignal): Promise<PgEndpoint> {
  const rds = await import('@aws-sdk/client-rds');
  const id = String(ref.spec.id);
  if (ref.type === 'aws.rds.cluster') {
    const out = await session.call('rds', targetOf(ref), new rds.DescribeDBClustersCommand({ DBClusterIdentifier: id }), `endpoint of resource "${ref.name}"`, signal);
    const c = out.DBClusters?.[0];
    if (!c?.Endpoint) throw new ProviderError(`resource "${ref.name}": cluster ${id} has no endpoint yet`);
    return { host: c.Endpoint, port: c.Port ?? 5432 };
  }
  const out = await session.call('rds', targetOf(ref), new rds.DescribeDBInstancesCommand({ DBInstanceIdentifier: id }), `endpoint of resource "${ref.name}"`, signal);
  const i = out.DBInstances?.[0];
  if (!i?.Endpoint?.Address) throw new ProviderError(`resource "${ref.name}": instance ${id} has no endpoint yet`);
  return { host: i.Endpoint.Address, port: i.Endpoint.Port ?? 5432 };
}

/**
 * The `postgres` capability of an RDS resource. `ResourceTypeDef.postgres` is synchronous (a
 * probe asks for the settings on every connect), so the host comes from the run's AWS session,
 * where preflight stored it. A run that skipped preflight (a resume) starts one lookup here and
 * fails this connect; the probe's next check finds the endpoint.
 */
function rdsPgConfigs(ref: ResourceRef, ctx: ProviderContext): PgConfig[] {
  const session = awsSessionOf(ctx);
  if (!session) throw new ProviderError(`resource "${ref.name}": the AWS provider is not open in this run`);
  const ep = session.endpoints.get(ref.name);
  if (!ep) {
    if (!session.resolving.has(ref.name)) {
      const p = describeEndpoint(session, ref)
        .then((e) => void session.endpoints.set(ref.name, e))
        .catch((err: unknown) => ctx.log.warn({ resource: ref.name, err: messageOf(err) }, 'endpoint lookup failed'))
        .finally(() => session.resolving.delete(ref.name));
      session.resolving.set(ref.name, p);
    }
    throw new ProviderError(`resource "${ref.name}": endpoint not known yet (looking it up)`);
  }
  const s = ref.spec;
  return [
    {
      host: ep.host,
      port: ep.port,
      database: s.database as string | undefined,
      user: s.user as string | undefined,
      password: s.password as string | undefined,
      ssl: s.sslmode === 'require' ? true : s.sslmode === 'no-verify' ? { rejectUnauthorized: false } : undefined,
    },
  ];
}

export const rdsInstanceType: ResourceTypeDef = {
  type: 'aws.rds.instance',
  description: 'An RDS DB instance (PostgreSQL: the postgres.* probes connect to its endpoint).',
  fields: z.object({ id: DbId.describe('DB instance identifier.'), ...awsCommon, ...pgFields }),
  postgres: rdsPgConfigs,
};

export const rdsClusterType: ResourceTypeDef = {
  type: 'aws.rds.cluster',
  description: 'An Aurora DB cluster (PostgreSQL: the postgres.* probes connect to its writer endpoint).',
  fields: z.object({ id: DbId.describe('DB cluster identifier.'), ...awsCommon, ...pgFields }),
  postgres: rdsPgConfigs,
};
