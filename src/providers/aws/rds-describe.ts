import { ProviderError } from '../../errors.js';
import type { ResourceRef } from '../types.js';
import { targetOf, type AwsSession } from './aws-session.js';

/** One DB instance by identifier (the resource's own, or another in its region: a restored copy). */
export async function describeDbInstance(session: AwsSession, ref: ResourceRef, what: string, signal?: AbortSignal, id = String(ref.spec.id)): Promise<any> {
  const rds = await import('@aws-sdk/client-rds');
  const out = await session.call('rds', targetOf(ref), new rds.DescribeDBInstancesCommand({ DBInstanceIdentifier: id }), what, signal);
  const db = out.DBInstances?.[0];
  if (!db) throw new ProviderError(`${what}: DB instance ${id} not found`, { retryable: false });
  return db;
}

/** One DB instance, or undefined when it does not exist (a restore that has not started). */
export async function findDbInstance(session: AwsSession, ref: ResourceRef, what: string, signal: AbortSignal | undefined, id: string): Promise<any | undefined> {
  try {
    return await describeDbInstance(session, ref, what, signal, id);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** One Aurora cluster by identifier. */
export async function describeDbCluster(session: AwsSession, ref: ResourceRef, what: string, signal?: AbortSignal): Promise<any> {
  const rds = await import('@aws-sdk/client-rds');
  const id = String(ref.spec.id);
  const out = await session.call('rds', targetOf(ref), new rds.DescribeDBClustersCommand({ DBClusterIdentifier: id }), what, signal);
  const c = out.DBClusters?.[0];
  if (!c) throw new ProviderError(`${what}: DB cluster ${id} not found`, { retryable: false });
  return c;
}

/** The writer of a cluster, from its members. */
export function writerOf(cluster: any): string | undefined {
  return (cluster.DBClusterMembers ?? []).find((m: any) => m.IsClusterWriter)?.DBInstanceIdentifier;
}

/** Whether an error (or its cause) is the service saying the thing does not exist. */
export function isNotFound(err: unknown): boolean {
  const e = (err instanceof ProviderError ? err.cause : err) as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return !!e && (/NotFound|NoSuch/.test(e.name ?? '') || e.$metadata?.httpStatusCode === 404);
}

/** Whether an error (or its cause) says what we create exists already (a retried or resumed create). */
export function isAlreadyExists(err: unknown): boolean {
  const e = (err instanceof ProviderError ? err.cause : err) as { name?: string } | undefined;
  return !!e && /AlreadyExists|IdempotentParameterMismatch/.test(e.name ?? '');
}

/** The tags of an RDS instance or cluster as a map (Describe returns them as TagList). */
export function rdsTags(x: any): Record<string, string> {
  return Object.fromEntries((x.TagList ?? []).map((t: any) => [t.Key, t.Value]));
}
