import { messageOf } from '../../errors.js';
import type { PreflightContext, PreflightProblem, PreflightStep, ResourceRef } from '../types.js';
import { parseTag } from './aws-fields.js';
import { awsSession, targetOf, type AwsSession } from './aws-session.js';
import { findInstance } from './ec2-resources.js';
import { describeDbCluster, describeDbInstance, rdsTags } from './rds-describe.js';

/** The default tag a resource must carry before a drill fault may touch it. */
export const DEFAULT_ALLOW_TAG = 'lifeboat:drill=allowed';

/** What preflight learned about a resource: its tags and the facts the actions' checks need. */
interface Facts {
  tags?: Record<string, string>;
  rds?: any;
  cluster?: any;
}

const READS: Record<string, string[]> = {
  'aws.rds.instance': ['rds:DescribeDBInstances'],
  'aws.rds.cluster': ['rds:DescribeDBClusters'],
  'aws.ec2.instance': ['ec2:DescribeInstances'],
  'aws.s3.bucket': ['s3:ListBucket'],
  'aws.route53.record': ['route53:GetHostedZone'],
};

/** The IAM permissions the AWS preflight needs for these resource types and steps. */
export function awsPreflightPermissions(types: readonly string[], steps: readonly PreflightStep[]): string[] {
  const out = new Set<string>(['sts:GetCallerIdentity']);
  for (const t of types) for (const a of READS[t] ?? []) out.add(a);
  for (const s of steps) {
    if (s.action === 'aws.fis.start-experiment') out.add('fis:GetExperimentTemplate');
    if (s.action === 'aws.ec2.launch') out.add('ec2:DescribeImages');
  }
  return [...out].sort();
}

async function factsOf(s: AwsSession, ref: ResourceRef, signal: AbortSignal): Promise<Facts> {
  const w = `preflight of resource "${ref.name}"`;
  switch (ref.type) {
    case 'aws.rds.instance': {
      const db = await describeDbInstance(s, ref, w, signal);
      if (db.Endpoint?.Address) s.endpoints.set(ref.name, { host: db.Endpoint.Address, port: db.Endpoint.Port ?? 5432 });
      return { tags: rdsTags(db), rds: db };
    }
    case 'aws.rds.cluster': {
      const c = await describeDbCluster(s, ref, w, signal);
      if (c.Endpoint) s.endpoints.set(ref.name, { host: c.Endpoint, port: c.Port ?? 5432 });
      return { tags: rdsTags(c), cluster: c };
    }
    case 'aws.ec2.instance': {
      const i = await findInstance(s, ref, w, signal);
      return { tags: Object.fromEntries((i.Tags ?? []).map((t: any) => [t.Key, t.Value])) };
    }
    case 'aws.s3.bucket': {
      const s3 = await import('@aws-sdk/client-s3');
      await s.call('s3', targetOf(ref), new s3.HeadBucketCommand({ Bucket: String(ref.spec.bucket) }), w, signal);
      return {};
    }
    case 'aws.route53.record': {
      const r53 = await import('@aws-sdk/client-route-53');
      await s.call('route53', targetOf(ref), new r53.GetHostedZoneCommand({ Id: String(ref.spec.zoneId) }), w, signal);
      return {};
    }
    default:
      return {};
  }
}

/**
 * Read-only checks before anything mutates: the credentials work (STS GetCallerIdentity), every
 * AWS resource exists, each step's action fits its resource (a replica to promote, Multi-AZ for a
 * reboot with failover, members to fail over to, backups for a point-in-time restore, the AMI in
 * the launch region, a PostgreSQL engine for the postgres.* probes), and every resource a fault
 * mutates carries the allow tag — unless both the runbook (`safety.allowUntagged`) and the command
 * line (`--allow-untagged`) allow it untagged.
 */
export async function awsPreflight(resources: readonly ResourceRef[], ctx: PreflightContext): Promise<PreflightProblem[]> {
  const s = awsSession(ctx);
  const problems: PreflightProblem[] = [];
  // S3-compatible stores and emulators (an `endpoint`) have no STS: their own read-only calls
  // below check the credentials. Anything on AWS itself is checked with GetCallerIdentity first.
  const onAws = resources.some((r) => r.spec.endpoint === undefined) || (ctx.steps ?? []).some((st) => st.action.startsWith('aws.') && st.target === undefined);
  if (onAws) {
    const sts = await import('@aws-sdk/client-sts');
    try {
      await s.call('sts', {}, new sts.GetCallerIdentityCommand({}), 'preflight: checking the AWS credentials', ctx.signal);
    } catch (err) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      return [{ resource: resources.map((r) => r.name).join(', ') || 'aws', message: `AWS credentials do not work: ${messageOf(err)}` }];
    }
  }
  const facts = new Map<string, Facts>();
  await Promise.all(
    resources.map(async (ref) => {
      try {
        facts.set(ref.name, await factsOf(s, ref, ctx.signal));
      } catch (err) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        problems.push({ resource: ref.name, message: messageOf(err) });
      }
    }),
  );
  for (const ref of resources) {
    const db = facts.get(ref.name)?.rds ?? facts.get(ref.name)?.cluster;
    if (db && ref.spec.user !== undefined && !/postgres/.test(String(db.Engine ?? '')))
      problems.push({ resource: ref.name, message: `engine ${db.Engine} is not PostgreSQL: the postgres.* probes cannot use it` });
  }
  const byName = new Map(resources.map((r) => [r.name, r]));
  const { key, value } = parseTag(ctx.safety?.allowTag ?? DEFAULT_ALLOW_TAG);
  const allowedUntagged = (name: string) => (s.settings.allowUntagged ?? false) && (ctx.safety?.allowUntagged ?? []).includes(name);
  for (const step of ctx.steps ?? []) {
    if (!step.action.startsWith('aws.')) continue;
    const ref = step.target ? byName.get(step.target) : undefined;
    const f = step.target ? facts.get(step.target) : undefined;
    const where = `step ${step.stepId} (${step.action})`;
    if (step.phase === 'fault' && ref && f?.tags && f.tags[key] !== value && !allowedUntagged(ref.name)) {
      problems.push({
        resource: ref.name,
        message: `${where}: a fault may touch only resources tagged ${key}=${value}; tag it, or list it in safety.allowUntagged and pass --allow-untagged`,
      });
    }
    try {
      problems.push(...(await stepFits(s, step, ref, f, ctx, { key, value }, where)));
    } catch (err) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      problems.push({ resource: ref?.name ?? step.stepId, message: `${where}: ${messageOf(err)}` });
    }
  }
  return problems;
}

/** Whether a step's action fits what its target is. */
async function stepFits(s: AwsSession, step: PreflightStep, ref: ResourceRef | undefined, f: Facts | undefined, ctx: PreflightContext, tag: { key: string; value: string }, where: string): Promise<PreflightProblem[]> {
  const problem = (message: string) => [{ resource: ref?.name ?? step.stepId, message: `${where}: ${message}` }];
  const db = f?.rds;
  switch (step.action) {
    case 'aws.rds.promote-replica':
      return db && !db.ReadReplicaSourceDBInstanceIdentifier ? problem(`${db.DBInstanceIdentifier} is not a read replica`) : [];
    case 'aws.rds.reboot':
      return db && step.params.forceFailover !== false && !db.MultiAZ ? problem(`a reboot with failover needs a Multi-AZ instance; ${db.DBInstanceIdentifier} is Single-AZ`) : [];
    case 'aws.rds.restore-point-in-time':
      return db && !(db.BackupRetentionPeriod > 0) ? problem(`${db.DBInstanceIdentifier} keeps no automated backups (BackupRetentionPeriod 0)`) : [];
    case 'aws.rds.failover-cluster': {
      const members: string[] = (f?.cluster?.DBClusterMembers ?? []).map((m: any) => m.DBInstanceIdentifier);
      if (!f?.cluster) return [];
      if (members.length < 2) return problem(`cluster ${f.cluster.DBClusterIdentifier} has ${members.length} member(s): nothing to fail over to`);
      const t = step.params.targetInstance;
      return typeof t === 'string' && !t.includes('${') && !members.includes(t) ? problem(`${t} is not a member of the cluster (members: ${members.join(', ')})`) : [];
    }
    case 'aws.ec2.launch': {
      const ec2 = await import('@aws-sdk/client-ec2');
      const region = typeof step.params.region === 'string' ? step.params.region : ref ? targetOf(ref).region : undefined;
      const image = String(step.params.imageId);
      if (image.includes('${')) return [];
      const out = await s.call('ec2', region ? { region } : {}, new ec2.DescribeImagesCommand({ ImageIds: [image] }), `preflight of ${where}`, ctx.signal);
      return out.Images?.length ? [] : problem(`AMI ${image} is not in region ${region ?? 'of the run'} (AMIs are regional: copy it first)`);
    }
    case 'aws.fis.start-experiment': {
      const fis = await import('@aws-sdk/client-fis');
      const template = String(step.params.templateId);
      const region = typeof step.params.region === 'string' ? step.params.region : undefined;
      const out = await s.call('fis', region ? { region } : {}, new fis.GetExperimentTemplateCommand({ id: template }), `preflight of ${where}`, ctx.signal);
      const tags = out.experimentTemplate?.tags ?? {};
      return tags[tag.key] === tag.value ? [] : problem(`experiment template ${template} is not tagged ${tag.key}=${tag.value}: a fault may run only tagged templates`);
    }
    default:
      return [];
  }
}
