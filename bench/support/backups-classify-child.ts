// Child process of the backups-classify bench: checks one policy over paginated fakes that build
// each page when asked and keep nothing, and prints {elapsedMs, maxRssMb, copies} as JSON.
import { checkPolicy } from '../../src/backups/check-policy.js';
import { BackupPolicySchema } from '../../src/backups/policy-schema.js';
import { AwsClients } from '../../src/providers/aws/aws-clients.js';

const VERSIONS = Number(process.env.BENCH_S3_VERSIONS ?? 1_000_000);
const SNAPSHOTS = Number(process.env.BENCH_SNAPSHOTS ?? 100_000);
const AT = Date.UTC(2026, 0, 15, 12, 0, 0);
const PAGE = 1000;
const EBS = Math.floor(SNAPSHOTS / 2);
const RDS = SNAPSHOTS - EBS;

const keyOf = (i: number) => `orders/${String(Math.floor(i / 10)).padStart(7, '0')}.sql`;

/** A fake `send` per service: pages computed from the markers, nothing remembered between calls. */
const fakes: Record<string, (command: { constructor: { name: string }; input: any }) => Promise<unknown>> = {
  s3: async ({ constructor: { name }, input }) => {
    switch (name) {
      case 'GetBucketReplicationCommand':
        return Promise.reject(Object.assign(new Error('none'), { name: 'ReplicationConfigurationNotFoundError', $metadata: { httpStatusCode: 404 } }));
      case 'GetBucketVersioningCommand':
        return { Status: 'Enabled' };
      case 'GetObjectLockConfigurationCommand':
        return { ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' } };
      case 'HeadObjectCommand':
        return { ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: new Date(AT + 86_400_000) };
      case 'ListObjectVersionsCommand': {
        const start = input.VersionIdMarker ? Number(input.VersionIdMarker.slice(1)) + 1 : 0;
        const end = Math.min(start + PAGE, VERSIONS);
        const Versions = [];
        for (let i = start; i < end; i++)
          Versions.push({ Key: keyOf(i), VersionId: `v${i}`, LastModified: new Date(AT - (VERSIONS - i) * 1000), StorageClass: i % 7 === 0 ? 'GLACIER' : 'STANDARD', IsLatest: i % 10 === 9 });
        const truncated = end < VERSIONS;
        return { Versions, DeleteMarkers: [], IsTruncated: truncated, ...(truncated ? { NextKeyMarker: keyOf(end - 1), NextVersionIdMarker: `v${end - 1}` } : {}) };
      }
    }
    throw new Error(`unexpected S3 ${name}`);
  },
  ec2: async ({ input }) => {
    const byVolume = input.Filters.some((f: { Name: string }) => f.Name === 'volume-id');
    const start = Number(input.NextToken ?? 0);
    const end = Math.min(start + PAGE, EBS);
    const Snapshots = [];
    // The first pass (by volume) sees the originals; the second sees everything again (copies are matched by description).
    for (let i = start; i < end; i++) Snapshots.push({ SnapshotId: `snap-${i.toString(16)}`, VolumeId: 'vol-0aaa', StartTime: new Date(AT - i * 60_000), State: 'completed', Description: 'nightly' });
    void byVolume;
    return { Snapshots, NextToken: end < EBS ? String(end) : undefined };
  },
  rds: async ({ constructor: { name }, input }) => {
    if (name === 'DescribeDBInstanceAutomatedBackupsCommand') return { DBInstanceAutomatedBackups: [] };
    const start = Number(input.Marker ?? 0);
    const end = Math.min(start + 100, RDS);
    const DBSnapshots = [];
    for (let i = start; i < end; i++) DBSnapshots.push({ DBSnapshotIdentifier: `rds:orders-${i}`, DBInstanceIdentifier: 'orders', Status: 'available', SnapshotCreateTime: new Date(AT - i * 60_000) });
    return { DBSnapshots, Marker: end < RDS ? String(end) : undefined };
  },
};

const real = new AwsClients({ region: 'eu-west-1' });
const aws = {
  get: (async (service: string, target?: object) => {
    const client = (await real.get(service as never, target)) as { send: unknown };
    client.send = fakes[service];
    return client;
  }) as AwsClients['get'],
};
// Load the three SDK clients before the clock starts: their size is part of the RSS, not of the time.
for (const s of ['s3', 'ec2', 'rds']) await aws.get(s as never, { region: 'eu-west-1' });

const policy = BackupPolicySchema.parse({
  apiVersion: 'lifeboat/v1',
  kind: 'BackupPolicy',
  name: 'bench',
  resource: 'orders-db',
  primary: { location: 'eu-west-1', medium: 'database snapshot' },
  sources: [
    { type: 'aws.s3', bucket: 'dumps', prefix: 'orders/', region: 'eu-west-1', replication: true },
    { type: 'aws.ebs', regions: ['eu-west-1'], volumeId: 'vol-0aaa' },
    { type: 'aws.rds', regions: ['eu-west-1'], dbInstance: 'orders' },
  ],
  rules: { maxAge: '1d' },
});
const started = performance.now();
const result = await checkPolicy({ file: 'bench.yaml', policy }, { aws, at: AT });
const elapsedMs = performance.now() - started;
real.destroy();
process.stdout.write(
  `${JSON.stringify({ elapsedMs, maxRssMb: process.resourceUsage().maxRSS / 1024, copies: result.copies, immutable: result.immutable, compliant: result.compliant, errors: result.sourceErrors })}\n`,
);
