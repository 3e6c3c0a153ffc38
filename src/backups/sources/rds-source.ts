import { awsCall } from '../../providers/aws/aws-call.js';
import type { Copy, CopyStream, SourceContext } from '../copy.js';
import type { RdsSource } from '../policy-schema.js';

const NOT_IMMUTABLE = 'an RDS snapshot can be deleted with rds:DeleteDBSnapshot (no lock; use an AWS Backup vault lock)';
const DAY = 86_400_000;

/**
 * RDS snapshots (manual, automated, cross-region copies: copies keep the instance or cluster
 * identifier, and their data is as old as OriginalSnapshotCreateTime) and automated backups
 * (retained and replicated ones: each is one copy whose creation is its newest restorable time),
 * in every listed region, page by page (Marker).
 */
export async function* rdsCopies(source: RdsSource, ctx: SourceContext): CopyStream {
  const sdk = await import('@aws-sdk/client-rds');
  const id = source.dbInstance ?? source.dbCluster!;
  const what = `backups source aws.rds ${id}`;
  async function* pages<T>(region: string, make: (marker: string | undefined) => object, items: (page: any) => T[] | undefined): AsyncGenerator<T[]> {
    const rds = await ctx.aws.get('rds', { region });
    let marker: string | undefined;
    do {
      const page = await awsCall('rds', rds, make(marker), { what, signal: ctx.signal });
      yield items(page) ?? [];
      marker = page.Marker;
    } while (marker);
  }
  for (const region of source.regions) {
    const snapshots = source.dbInstance
      ? pages<any>(region, (Marker) => new sdk.DescribeDBSnapshotsCommand({ DBInstanceIdentifier: id, Marker, MaxRecords: 100 }), (p) => p.DBSnapshots)
      : pages<any>(region, (Marker) => new sdk.DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: id, Marker, MaxRecords: 100 }), (p) => p.DBClusterSnapshots);
    for await (const page of snapshots)
      for (const s of page) {
        if (s.Status !== 'available') continue;
        const created = s.OriginalSnapshotCreateTime ?? s.SnapshotCreateTime;
        if (!created) continue;
        const copy: Copy = {
          id: `${s.DBSnapshotIdentifier ?? s.DBClusterSnapshotIdentifier} (${region}${s.SourceRegion ? `, copied from ${s.SourceRegion}` : ''})`,
          medium: 'database snapshot',
          location: region,
          immutable: false,
          immutability: NOT_IMMUTABLE,
          createdAt: new Date(created).getTime(),
        };
        yield copy;
      }
    if (!source.automatedBackups) continue;
    const automated = source.dbInstance
      ? pages<any>(region, (Marker) => new sdk.DescribeDBInstanceAutomatedBackupsCommand({ DBInstanceIdentifier: id, Marker, MaxRecords: 100 }), (p) => p.DBInstanceAutomatedBackups)
      : pages<any>(region, (Marker) => new sdk.DescribeDBClusterAutomatedBackupsCommand({ DBClusterIdentifier: id, Marker, MaxRecords: 100 }), (p) => p.DBClusterAutomatedBackups);
    for await (const page of automated)
      for (const b of page) {
        const latest = b.RestoreWindow?.LatestTime;
        if (!latest) continue;
        const createdAt = new Date(latest).getTime();
        const copy: Copy = {
          id: `automated backup ${b.DBInstanceAutomatedBackupsArn ?? b.DBClusterAutomatedBackupsArn ?? b.DbiResourceId ?? id} (${b.Region ?? region}, ${b.Status})`,
          medium: 'database snapshot',
          location: b.Region ?? region,
          immutable: false,
          immutability: NOT_IMMUTABLE,
          createdAt,
          ...(b.BackupRetentionPeriod ? { retainUntil: createdAt + b.BackupRetentionPeriod * DAY } : {}),
        };
        yield copy;
      }
  }
}

/** For `explain`. */
export function describeRds(source: RdsSource): string {
  const what = source.dbInstance ? `DB instance ${source.dbInstance}` : `DB cluster ${source.dbCluster}`;
  return `aws.rds: available snapshots${source.automatedBackups ? ' and automated backups' : ''} of ${what} in ${source.regions.join(', ')}; calls Describe${source.dbInstance ? 'DBSnapshots' : 'DBClusterSnapshots'}${source.automatedBackups ? `, Describe${source.dbInstance ? 'DBInstance' : 'DBCluster'}AutomatedBackups` : ''}`;
}
