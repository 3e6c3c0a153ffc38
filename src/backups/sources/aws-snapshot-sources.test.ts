import { BackupClient, BackupServiceException, DescribeBackupVaultCommand, ListRecoveryPointsByBackupVaultCommand } from '@aws-sdk/client-backup';
import { DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeDBInstanceAutomatedBackupsCommand, DescribeDBSnapshotsCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { collect, testContext } from '../testing/collect.js';
import { ebsCopies } from './ebs-source.js';
import { rdsCopies } from './rds-source.js';
import { vaultCopies } from './vault-source.js';

const AT = Date.UTC(2026, 0, 15, 12, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ec2 = mockClient(EC2Client);
const rds = mockClient(RDSClient);
const backup = mockClient(BackupClient);
afterEach(() => {
  ec2.reset();
  rds.reset();
  backup.reset();
});

/** The region a mocked call was sent to. */
async function regionOf(client: unknown): Promise<string> {
  return (client as { config: { region: () => Promise<string> } }).config.region();
}

/** Answers a token-paged call from `items` in pages of `size` (token = next index). */
function paged<T>(items: T[], size: number, token: string | undefined): { page: T[]; next?: string } {
  const start = token ? Number(token) : 0;
  const next = start + size < items.length ? String(start + size) : undefined;
  return { page: items.slice(start, start + size), ...(next ? { next } : {}) };
}

describe('aws.ebs source', () => {
  const snapshots: Record<string, Array<Record<string, unknown>>> = {
    'eu-west-1': [
      { SnapshotId: 'snap-0a1', VolumeId: 'vol-0aaa', StartTime: new Date(AT - 2 * DAY), State: 'completed', Description: 'nightly' },
      { SnapshotId: 'snap-0a2', VolumeId: 'vol-0aaa', StartTime: new Date(AT - DAY), State: 'completed', Description: 'nightly' },
      { SnapshotId: 'snap-0a3', VolumeId: 'vol-0aaa', StartTime: new Date(AT - HOUR), State: 'completed', StorageTier: 'archive' },
      { SnapshotId: 'snap-0b1', VolumeId: 'vol-0bbb', StartTime: new Date(AT - HOUR), State: 'completed', Description: 'another volume' },
    ],
    // Cross-region copies carry an arbitrary volume id (vol-ffffffff) and name their source in the description.
    'eu-central-1': [
      { SnapshotId: 'snap-0c1', VolumeId: 'vol-ffffffff', StartTime: new Date(AT - DAY + HOUR), State: 'completed', Description: 'Copied snap-0a2 from eu-west-1' },
      { SnapshotId: 'snap-0c2', VolumeId: 'vol-ffffffff', StartTime: new Date(AT - HOUR), State: 'completed', Description: 'Copied snap-0b1 from eu-west-1' },
      { SnapshotId: 'snap-0c3', VolumeId: 'vol-ffffffff', StartTime: new Date(AT - HOUR), State: 'completed', Description: 'manual', Tags: [{ Key: 'app', Value: 'orders' }] },
    ],
  };

  function fakeEc2() {
    ec2.on(DescribeSnapshotsCommand).callsFake(async (input: { Filters?: Array<{ Name: string; Values: string[] }>; NextToken?: string }, getClient: () => unknown) => {
      const region = await regionOf(getClient());
      const volume = input.Filters?.find((f) => f.Name === 'volume-id')?.Values[0];
      const tags = (input.Filters ?? []).filter((f) => f.Name.startsWith('tag:'));
      const matching = (snapshots[region] ?? []).filter(
        (s) =>
          (!volume || s.VolumeId === volume) &&
          tags.every((t) => ((s.Tags as Array<{ Key: string; Value: string }>) ?? []).some((x) => `tag:${x.Key}` === t.Name && t.Values.includes(x.Value))),
      );
      const { page, next } = paged(matching, 2, input.NextToken);
      return { Snapshots: page, NextToken: next };
    });
  }

  it('finds the volume snapshots in its region and their copies in another region by the source snapshot id, page by page', async () => {
    fakeEc2();
    const copies = await collect(ebsCopies({ type: 'aws.ebs', regions: ['eu-west-1', 'eu-central-1'], volumeId: 'vol-0aaa' }, testContext()));
    expect(copies.map((c) => [c.id, c.location, c.medium])).toEqual([
      ['snap-0a1 (eu-west-1)', 'eu-west-1', 'block snapshot'],
      ['snap-0a2 (eu-west-1)', 'eu-west-1', 'block snapshot'],
      ['snap-0a3 (eu-west-1)', 'eu-west-1', 'archive storage'],
      ['snap-0c1 (eu-central-1)', 'eu-central-1', 'block snapshot'],
    ]);
    expect(copies[3]!.createdAt).toBe(AT - DAY + HOUR);
    // Pages were followed: 2 per page, so the 3 snapshots of vol-0aaa took two calls.
    expect(ec2.commandCalls(DescribeSnapshotsCommand).filter((c) => c.args[0].input.NextToken === '2').length).toBeGreaterThanOrEqual(1);
  });

  it('matches copies by tag as well when the policy names tags', async () => {
    fakeEc2();
    const copies = await collect(ebsCopies({ type: 'aws.ebs', regions: ['eu-west-1', 'eu-central-1'], volumeId: 'vol-0aaa', tags: { app: 'orders' } }, testContext()));
    expect(copies.map((c) => c.id)).toContain('snap-0c3 (eu-central-1)');
    expect(copies.map((c) => c.id)).not.toContain('snap-0c2 (eu-central-1)');
  });
});

describe('aws.rds source', () => {
  it('counts available snapshots (a copy as old as its original) and automated backups, replicated ones in their region', async () => {
    rds.on(DescribeDBSnapshotsCommand).callsFake(async (input: { Marker?: string }, getClient: () => unknown) => {
      const region = await regionOf(getClient());
      const all =
        region === 'eu-west-1'
          ? [
              { DBSnapshotIdentifier: 'rds:orders-1', DBInstanceIdentifier: 'orders', Status: 'available', SnapshotCreateTime: new Date(AT - DAY) },
              { DBSnapshotIdentifier: 'rds:orders-2', DBInstanceIdentifier: 'orders', Status: 'creating', SnapshotCreateTime: new Date(AT - HOUR) },
              { DBSnapshotIdentifier: 'manual-1', DBInstanceIdentifier: 'orders', Status: 'available', SnapshotCreateTime: new Date(AT - 3 * HOUR) },
            ]
          : [{ DBSnapshotIdentifier: 'orders-copy', DBInstanceIdentifier: 'orders', Status: 'available', SourceRegion: 'eu-west-1', SnapshotCreateTime: new Date(AT - HOUR), OriginalSnapshotCreateTime: new Date(AT - DAY) }];
      const { page, next } = paged(all, 1, input.Marker);
      return { DBSnapshots: page, Marker: next };
    });
    rds.on(DescribeDBInstanceAutomatedBackupsCommand).callsFake(async (_input: unknown, getClient: () => unknown) => {
      const region = await regionOf(getClient());
      return {
        DBInstanceAutomatedBackups: [
          { DBInstanceAutomatedBackupsArn: `arn:aws:rds:${region}:1:auto-backup:ab-1`, Region: region, Status: region === 'eu-west-1' ? 'active' : 'replicating', BackupRetentionPeriod: 7, RestoreWindow: { EarliestTime: new Date(AT - 7 * DAY), LatestTime: new Date(AT - 5 * 60_000) } },
        ],
      };
    });
    const copies = await collect(rdsCopies({ type: 'aws.rds', regions: ['eu-west-1', 'us-east-2'], dbInstance: 'orders', automatedBackups: true }, testContext()));
    expect(copies.map((c) => [c.id, c.location, c.createdAt])).toEqual([
      ['rds:orders-1 (eu-west-1)', 'eu-west-1', AT - DAY],
      ['manual-1 (eu-west-1)', 'eu-west-1', AT - 3 * HOUR],
      ['automated backup arn:aws:rds:eu-west-1:1:auto-backup:ab-1 (eu-west-1, active)', 'eu-west-1', AT - 5 * 60_000],
      ['orders-copy (us-east-2, copied from eu-west-1)', 'us-east-2', AT - DAY],
      ['automated backup arn:aws:rds:us-east-2:1:auto-backup:ab-1 (us-east-2, replicating)', 'us-east-2', AT - 5 * 60_000],
    ]);
    expect(copies[2]!.retainUntil).toBe(AT - 5 * 60_000 + 7 * DAY);
    expect(rds.commandCalls(DescribeDBSnapshotsCommand).map((c) => c.args[0].input.Marker)).toEqual([undefined, '1', '2', undefined]);
  });
});

describe('aws.backup source', () => {
  function vault(region: string, over: Record<string, unknown>) {
    return async (_input: unknown, getClient: () => unknown) => ((await regionOf(getClient())) === region ? { BackupVaultName: 'orders', ...over } : Promise.reject(notFound()));
  }
  const notFound = () => new BackupServiceException({ name: 'ResourceNotFoundException', $fault: 'client', $metadata: { httpStatusCode: 404 }, message: 'no vault' });

  it('makes recovery points immutable under a compliance-mode vault lock past its grace time, and pages by NextToken', async () => {
    backup.on(DescribeBackupVaultCommand).callsFake(vault('eu-west-1', { Locked: true, LockDate: new Date(AT - DAY), MinRetentionDays: 30 }));
    const points = Array.from({ length: 5 }, (_, i) => ({
      RecoveryPointArn: `arn:aws:ec2:eu-west-1::snapshot/snap-${i}`,
      ResourceType: i === 4 ? 'RDS' : 'EBS',
      Status: i === 3 ? 'PARTIAL' : 'COMPLETED',
      CreationDate: new Date(AT - i * DAY),
      StorageClass: i === 2 ? 'COLD' : 'WARM',
      CalculatedLifecycle: { DeleteAt: new Date(AT + 30 * DAY) },
    }));
    backup.on(ListRecoveryPointsByBackupVaultCommand).callsFake((input: { NextToken?: string }) => {
      const { page, next } = paged(points, 2, input.NextToken);
      return { RecoveryPoints: page, NextToken: next };
    });
    const ctx = testContext();
    const copies = await collect(vaultCopies({ type: 'aws.backup', regions: ['eu-west-1', 'eu-central-1'], vaults: ['orders'] }, ctx));
    expect(copies.map((c) => [c.id.slice(-6), c.medium, c.immutable])).toEqual([
      ['snap-0', 'block snapshot', true],
      ['snap-1', 'block snapshot', true],
      ['snap-2', 'archive storage', true],
      ['snap-4', 'database snapshot', true],
    ]);
    expect(copies[0]!.retainUntil).toBe(AT + 30 * DAY);
    expect(ctx.notes).toEqual(['vault orders does not exist in eu-central-1']);
  });

  it('reports a governance-mode lock, and a compliance lock still in its grace time, as bypassable', async () => {
    backup.on(ListRecoveryPointsByBackupVaultCommand).resolves({ RecoveryPoints: [{ RecoveryPointArn: 'arn:rp', ResourceType: 'EBS', Status: 'COMPLETED', CreationDate: new Date(AT - HOUR) }] });
    backup.on(DescribeBackupVaultCommand).callsFake(vault('eu-west-1', { Locked: true }));
    const [governance] = await collect(vaultCopies({ type: 'aws.backup', regions: ['eu-west-1'], vaults: ['orders'] }, testContext()));
    expect(governance).toMatchObject({ immutable: false, bypassableLock: true, immutability: expect.stringContaining('governance mode') });
    backup.on(DescribeBackupVaultCommand).callsFake(vault('eu-west-1', { Locked: true, LockDate: new Date(AT + DAY) }));
    const [grace] = await collect(vaultCopies({ type: 'aws.backup', regions: ['eu-west-1'], vaults: ['orders'] }, testContext()));
    expect(grace).toMatchObject({ immutable: false, bypassableLock: true, immutability: expect.stringContaining('still changeable') });
  });
});
