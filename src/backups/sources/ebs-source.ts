import { awsCall } from '../../providers/aws/aws-call.js';
import type { Copy, CopyStream, SourceContext } from '../copy.js';
import type { EbsSource } from '../policy-schema.js';

const NOT_IMMUTABLE = 'an EBS snapshot can be deleted with ec2:DeleteSnapshot (snapshot lock is not read)';
const SNAPSHOT_ID = /snap-[0-9a-f]+/g;

interface Snapshot {
  SnapshotId?: string;
  VolumeId?: string;
  StartTime?: Date;
  State?: string;
  Description?: string;
  StorageTier?: string;
  Tags?: Array<{ Key?: string; Value?: string }>;
}

function hasTags(s: Snapshot, tags: Record<string, string> | undefined): boolean {
  if (!tags || !Object.keys(tags).length) return false;
  return Object.entries(tags).every(([k, v]) => s.Tags?.some((t) => t.Key === k && t.Value === v));
}

function asCopy(s: Snapshot, region: string): Copy {
  return {
    id: `${s.SnapshotId} (${region})`,
    medium: s.StorageTier === 'archive' ? 'archive storage' : 'block snapshot',
    location: region,
    immutable: false,
    immutability: NOT_IMMUTABLE,
    createdAt: new Date(s.StartTime!).getTime(),
  };
}

/**
 * Completed EBS snapshots in every listed region, page by page (DescribeSnapshots, NextToken).
 * By tags: every snapshot carrying them (copies made with their tags match too). By volume: the
 * snapshots of that volume, then, in a second pass, snapshots whose description names one of
 * them (CopySnapshot gives copies an arbitrary volume id and "Copied snap-… from <region>"), or
 * that carry the tags. Only the ids of matched snapshots are kept, not the snapshots.
 */
export async function* ebsCopies(source: EbsSource, ctx: SourceContext): CopyStream {
  const sdk = await import('@aws-sdk/client-ec2');
  const what = `backups source aws.ebs ${source.volumeId ?? JSON.stringify(source.tags)}`;
  async function* pages(region: string, filters: Array<{ Name: string; Values: string[] }>): AsyncGenerator<Snapshot[]> {
    const ec2 = await ctx.aws.get('ec2', { region });
    let token: string | undefined;
    do {
      const page = await awsCall('ec2', ec2, new sdk.DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: filters, NextToken: token, MaxResults: 1000 }), { what, signal: ctx.signal });
      yield (page.Snapshots ?? []) as Snapshot[];
      token = page.NextToken;
    } while (token);
  }
  const completed = { Name: 'status', Values: ['completed'] };
  const tagFilters = Object.entries(source.tags ?? {}).map(([k, v]) => ({ Name: `tag:${k}`, Values: [v] }));
  if (!source.volumeId) {
    for (const region of source.regions)
      for await (const page of pages(region, [completed, ...tagFilters])) for (const s of page) yield asCopy(s, region);
    return;
  }
  const known = new Set<string>();
  for (const region of source.regions)
    for await (const page of pages(region, [completed, { Name: 'volume-id', Values: [source.volumeId] }]))
      for (const s of page) {
        known.add(s.SnapshotId!);
        yield asCopy(s, region);
      }
  // Copies: another volume id (an arbitrary one), found by description or tags.
  for (const region of source.regions)
    for await (const page of pages(region, [completed]))
      for (const s of page) {
        if (s.VolumeId === source.volumeId || known.has(s.SnapshotId!)) continue;
        const named = (s.Description ?? '').match(SNAPSHOT_ID) ?? [];
        if (named.some((id) => known.has(id)) || hasTags(s, source.tags)) {
          known.add(s.SnapshotId!);
          yield asCopy(s, region);
        }
      }
}

/** For `explain`. */
export function describeEbs(source: EbsSource): string {
  const by = source.volumeId ? `of volume ${source.volumeId} and their copies (matched by description${source.tags ? ' or tags' : ''})` : `tagged ${JSON.stringify(source.tags)}`;
  return `aws.ebs: completed snapshots ${by} in ${source.regions.join(', ')}; calls DescribeSnapshots`;
}
