// Every example runbook users copy is valid and plans, and each AWS example's IAM policy is the
// reviewed list below: a change in what an action or probe declares shows up here for review.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../src/cli/default-registry.js';
import { iamPolicyOf } from '../src/engine/iam-policy.js';
import { planRun } from '../src/engine/plan.js';
import { loadRunbook } from '../src/runbook/load.js';
import { loadPolicy } from '../src/backups/load-policy.js';
import { ROOT, runCli } from './support/run-cli.js';

const registry = defaultRegistry();
const files = readdirSync(join(ROOT, 'runbooks')).filter((f) => /\.ya?ml$/.test(f));
const isPolicy = (f: string) => /^kind:\s*BackupPolicy\s*$/m.test(readFileSync(join(ROOT, 'runbooks', f), 'utf8'));
const examples = files.filter((f) => !isPolicy(f));
const policies = files.filter(isPolicy);

describe('example runbooks', () => {
  it.each(examples)('%s is valid and plans in both modes', async (f) => {
    const { runbook } = await loadRunbook(join(ROOT, 'runbooks', f), registry);
    for (const mode of ['drill', 'failover'] as const) expect(planRun(runbook, mode, registry).phases.length).toBeGreaterThan(0);
  });

  it.each(policies)('%s is a valid backup policy', async (f) => {
    const { policy } = await loadPolicy(join(ROOT, 'runbooks', f));
    expect(policy.sources.length).toBeGreaterThan(0);
  });

  it('include a local and an AWS backup policy', () => {
    expect(policies.sort()).toEqual(['aws-backup-policy.yaml', 'local-backup-policy.yaml']);
  });

  it('include the five AWS uses', () => {
    expect(examples.filter((f) => f.startsWith('aws-')).sort()).toEqual([
      'aws-aurora-failover.yaml',
      'aws-ec2-az-failover.yaml',
      'aws-fis-experiment.yaml',
      'aws-rds-cross-region.yaml',
      'aws-s3-replica.yaml',
    ]);
  });
});

/** Reviewed: the permissions each statement of each AWS example needs. */
const REVIEWED: Record<string, Record<string, string[]>> = {
  'aws-aurora-failover.yaml': {
    Preflight: ['rds:DescribeDBClusters', 'sts:GetCallerIdentity'],
    ProbeClusterStatus: ['rds:DescribeDBClusters', 'rds:DescribeDBInstances'],
    StepFaultFailover: ['rds:DescribeDBClusters', 'rds:FailoverDBCluster'],
    StepFailbackFailback: ['rds:DescribeDBClusters', 'rds:FailoverDBCluster'],
  },
  'aws-ec2-az-failover.yaml': {
    Preflight: ['ec2:DescribeImages', 'ec2:DescribeInstances', 'sts:GetCallerIdentity'],
    ProbeAppAState: ['ec2:DescribeInstanceStatus', 'ec2:DescribeInstances'],
    ProbeErrors: ['cloudwatch:DescribeAlarms'],
    StepFaultLoseAz: ['ec2:DescribeInstances', 'ec2:StopInstances'],
    StepFailoverReplace: ['ec2:CreateTags', 'ec2:DescribeImages', 'ec2:DescribeInstances', 'ec2:RunInstances'],
    StepFailbackRestartA: ['ec2:DescribeInstances', 'ec2:StartInstances'],
  },
  'aws-fis-experiment.yaml': {
    Preflight: ['fis:GetExperimentTemplate', 'rds:DescribeDBClusters', 'sts:GetCallerIdentity'],
    ProbeErrors: ['cloudwatch:DescribeAlarms'],
    StepFaultChaos: ['fis:GetExperiment', 'fis:GetExperimentTemplate', 'fis:ListExperiments', 'fis:StartExperiment', 'fis:StopExperiment', 'fis:TagResource'],
  },
  'aws-rds-cross-region.yaml': {
    Preflight: ['rds:DescribeDBInstances', 'route53:GetHostedZone', 'sts:GetCallerIdentity'],
    ProbeDrStatus: ['rds:DescribeDBClusters', 'rds:DescribeDBInstances'],
    StepFaultStopPrimary: ['rds:DescribeDBInstances', 'rds:RebootDBInstance'],
    StepFailoverPromote: ['rds:DescribeDBInstances', 'rds:PromoteReadReplica'],
    StepFailoverRepoint: ['route53:ChangeResourceRecordSets', 'route53:GetChange', 'route53:ListResourceRecordSets'],
    StepFailbackRepointBack: ['route53:ChangeResourceRecordSets', 'route53:GetChange', 'route53:ListResourceRecordSets'],
  },
  'aws-s3-replica.yaml': {
    Preflight: ['s3:ListBucket', 'sts:GetCallerIdentity'],
    ProbeWrites: ['s3:ListBucket', 's3:PutObject'],
    StepFailoverVerify: ['s3:ListBucket'],
    StepFailoverSeedLatest: ['s3:GetObject', 's3:ListBucket', 's3:PutObject'],
  },
};

describe('iam-policy', () => {
  it.each(Object.keys(REVIEWED))('%s needs exactly the reviewed permissions', async (f) => {
    const { runbook } = await loadRunbook(join(ROOT, 'runbooks', f), registry);
    const policy = iamPolicyOf(runbook, registry);
    expect(Object.fromEntries(policy.Statement.map((s) => [s.Sid, s.Action]))).toEqual(REVIEWED[f]);
    expect(policy.Statement.every((s) => s.Effect === 'Allow')).toBe(true);
  });

  it('prints the policy as JSON with a Statement from the command line (exit 0), and exit 2 for a bad runbook', async () => {
    const r = await runCli(['iam-policy', 'runbooks/aws-rds-cross-region.yaml']);
    expect(r.code).toBe(0);
    const policy = JSON.parse(r.stdout) as { Version: string; Statement: Array<{ Sid: string }> };
    expect(policy.Version).toBe('2012-10-17');
    expect(policy.Statement.map((s) => s.Sid)).toEqual(Object.keys(REVIEWED['aws-rds-cross-region.yaml']!));
    expect((await runCli(['iam-policy', 'runbooks/missing.yaml'])).code).toBe(2);
  }, 30_000);
});
