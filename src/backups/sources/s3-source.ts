import { awsCall } from '../../providers/aws/aws-call.js';
import type { Copy, CopyStream, SourceContext } from '../copy.js';
import type { Medium, S3Source } from '../policy-schema.js';

type S3 = Awaited<ReturnType<SourceContext['aws']['get']>>;

/** A time the SDK gives as a Date (a fake may give a string), in ms, without copying the Date. */
const timeOf = (d: Date | string): number => (d instanceof Date ? d.getTime() : new Date(d).getTime());

const ARCHIVE_CLASSES = new Set(['GLACIER', 'DEEP_ARCHIVE', 'GLACIER_IR']);

/** The medium of an S3 storage class: the Glacier classes are archive storage, the others object storage. */
export function mediumOfStorageClass(storageClass: string | undefined): Medium {
  return storageClass && ARCHIVE_CLASSES.has(storageClass) ? 'archive storage' : 'object storage';
}

/** A bucket's region from GetBucketLocation's answer (empty means us-east-1, `EU` eu-west-1). */
export function regionOfLocationConstraint(constraint: string | null | undefined): string {
  if (!constraint) return 'us-east-1';
  return constraint === 'EU' ? 'eu-west-1' : constraint;
}

/** The SDK error name under a ProviderError from awsCall. */
function causeName(err: unknown): string | undefined {
  const cause = (err as { cause?: { name?: string; $metadata?: { httpStatusCode?: number } } }).cause;
  if (cause?.$metadata?.httpStatusCode === 501) return 'NotImplemented';
  return cause?.name;
}

/**
 * A bucket configuration that may be absent (not an error) or not implemented by an S3-compatible
 * store (501, noted). The first attempt is made alone so that a 501 is not retried as a server
 * fault; any other transient failure is then retried as usual.
 */
async function optional<T>(call: (attempts?: number) => Promise<T>, absent: string[], onNotImplemented: () => void): Promise<T | undefined> {
  try {
    try {
      return await call(1);
    } catch (err) {
      if (causeName(err) === 'NotImplemented' || !(err as { retryable?: boolean }).retryable) throw err;
      return await call();
    }
  } catch (err) {
    const name = causeName(err);
    if (name && absent.includes(name)) return undefined;
    if (name === 'NotImplemented' || name === 'MethodNotAllowed') {
      onNotImplemented();
      return undefined;
    }
    throw err;
  }
}

interface Version {
  key: string;
  versionId: string;
  lastModified: number;
  storageClass?: string;
}

/** Classifies a version's Object Lock fields (as HeadObject returns them) at `now`. */
export function lockOf(
  head: { ObjectLockMode?: string; ObjectLockRetainUntilDate?: Date; ObjectLockLegalHoldStatus?: string },
  now: number,
): Pick<Copy, 'immutable' | 'immutability' | 'bypassableLock' | 'retainUntil'> {
  const until = head.ObjectLockRetainUntilDate ? new Date(head.ObjectLockRetainUntilDate).getTime() : undefined;
  const retainUntil = until !== undefined ? { retainUntil: until } : {};
  if (head.ObjectLockLegalHoldStatus === 'ON') return { immutable: true, immutability: 'Object Lock legal hold ON', ...retainUntil };
  if (head.ObjectLockMode === 'COMPLIANCE' && until !== undefined && until > now)
    return { immutable: true, immutability: `Object Lock COMPLIANCE until ${new Date(until).toISOString()}`, ...retainUntil };
  if (head.ObjectLockMode === 'GOVERNANCE' && until !== undefined && until > now)
    return {
      immutable: false,
      bypassableLock: true,
      immutability: `Object Lock GOVERNANCE until ${new Date(until).toISOString()}: can be bypassed (s3:BypassGovernanceRetention)`,
      ...retainUntil,
    };
  if (head.ObjectLockMode && until !== undefined) return { immutable: false, immutability: `Object Lock ${head.ObjectLockMode} expired ${new Date(until).toISOString()}`, ...retainUntil };
  return { immutable: false, immutability: 'no Object Lock retention or legal hold on this version' };
}

interface ListTarget {
  bucket: string;
  region: string;
}

/**
 * Object versions in a bucket (and, unless `replication: false`, in the destination buckets of
 * its replication rules that cover the prefix). ListObjectVersions is paged by KeyMarker +
 * VersionIdMarker and each page is classified and yielded before the next is asked for. Delete
 * markers are not copies. A bucket that was never versioned is listed with ListObjectsV2.
 * Object Lock fields are read (HeadObject) only for the newest versions, until as many immutable
 * copies as the rules want are found: the others are reported as not read.
 */
export async function* s3Copies(source: S3Source, ctx: SourceContext): CopyStream {
  const base = await ctx.aws.get('s3', { region: source.region, endpoint: source.endpoint });
  const what = `backups source aws.s3 s3://${source.bucket}/${source.prefix}`;
  const call = (client: S3, command: object, attempts?: number) => awsCall('s3', client, command, { what, signal: ctx.signal, attempts });
  const sdk = await import('@aws-sdk/client-s3');
  const regionOf = async (bucket: string): Promise<string> => {
    const out = await call(base, new sdk.GetBucketLocationCommand({ Bucket: bucket }));
    return regionOfLocationConstraint(out.LocationConstraint);
  };
  const home: ListTarget = { bucket: source.bucket, region: source.region ?? (await regionOf(source.bucket)) };
  const targets = [home];
  if (source.replication) {
    const repl = await optional(
      (attempts) => call(base, new sdk.GetBucketReplicationCommand({ Bucket: source.bucket }), attempts),
      ['ReplicationConfigurationNotFoundError', 'NoSuchReplicationConfiguration'],
      () => ctx.note(`s3://${source.bucket}: the endpoint does not support replication configuration`),
    );
    for (const rule of repl?.ReplicationConfiguration?.Rules ?? []) {
      if (rule.Status !== 'Enabled') continue;
      const rulePrefix: string = rule.Filter?.Prefix ?? rule.Filter?.And?.Prefix ?? rule.Prefix ?? '';
      if (!rulePrefix.startsWith(source.prefix) && !source.prefix.startsWith(rulePrefix)) continue;
      const bucket = String(rule.Destination?.Bucket ?? '').replace(/^arn:aws[a-z-]*:s3:::/, '');
      if (!bucket || targets.some((t) => t.bucket === bucket)) continue;
      const region = await regionOf(bucket);
      ctx.note(`s3://${source.bucket} replicates to s3://${bucket} (${region}) by rule ${rule.ID ?? '(unnamed)'}`);
      targets.push({ bucket, region });
    }
  }
  for (const target of targets) yield* listBucket(target, source.prefix, ctx, call, sdk, source.endpoint);
}

async function* listBucket(
  target: ListTarget,
  prefix: string,
  ctx: SourceContext,
  call: (client: S3, command: object, attempts?: number) => Promise<any>,
  sdk: typeof import('@aws-sdk/client-s3'),
  endpoint: string | undefined,
): CopyStream {
  // A client in the bucket's region (the endpoint kept for S3-compatible stores).
  const s3 = (await ctx.aws.get('s3', { region: target.region, endpoint })) as S3;
  const versioning = await call(s3, new sdk.GetBucketVersioningCommand({ Bucket: target.bucket }));
  const lockConfig = await optional(
    (attempts) => call(s3, new sdk.GetObjectLockConfigurationCommand({ Bucket: target.bucket }), attempts),
    ['ObjectLockConfigurationNotFoundError', 'NoSuchObjectLockConfiguration'],
    () => ctx.note(`s3://${target.bucket}: the endpoint does not support Object Lock`),
  );
  const lockEnabled = lockConfig?.ObjectLockConfiguration?.ObjectLockEnabled === 'Enabled';
  const notLocked = `s3://${target.bucket} has no Object Lock`;
  const candidates: Version[] = [];
  const keep = lockEnabled ? Math.max(ctx.immutableWanted, 1) * 3 : 0;
  const asCopy = (v: Version, lock: Pick<Copy, 'immutable' | 'immutability' | 'bypassableLock' | 'retainUntil'>): Copy => ({
    id: `s3://${target.bucket}/${v.key}${v.versionId === 'null' ? '' : `?versionId=${v.versionId}`}`,
    medium: mediumOfStorageClass(v.storageClass),
    location: target.region,
    createdAt: v.lastModified,
    ...lock,
  });
  const unread = {
    immutable: false,
    immutability: ctx.immutableWanted > 0 ? 'Object Lock not read (the newer versions decided the immutable rule)' : 'Object Lock not read (the immutable rule needs no more copies)',
  };
  /** Holds back the newest `keep` versions for lock reading; returns the one pushed out, if any. */
  const hold = (v: Version): Version | undefined => {
    if (keep === 0) return v;
    if (candidates.length < keep) {
      candidates.push(v);
      return undefined;
    }
    let oldest = 0;
    for (let i = 1; i < candidates.length; i++) if (candidates[i]!.lastModified < candidates[oldest]!.lastModified) oldest = i;
    if (candidates[oldest]!.lastModified >= v.lastModified) return v;
    const out = candidates[oldest]!;
    candidates[oldest] = v;
    return out;
  };
  const lockless = lockEnabled ? unread : { immutable: false, immutability: notLocked };
  let deleteMarkers = 0;
  if (versioning.Status === 'Enabled' || versioning.Status === 'Suspended') {
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    for (;;) {
      const page = await call(s3, new sdk.ListObjectVersionsCommand({ Bucket: target.bucket, Prefix: prefix || undefined, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }));
      deleteMarkers += page.DeleteMarkers?.length ?? 0;
      for (const v of page.Versions ?? []) {
        const out = hold({ key: v.Key, versionId: v.VersionId ?? 'null', lastModified: timeOf(v.LastModified), storageClass: v.StorageClass });
        if (out) yield asCopy(out, lockless);
      }
      if (!page.IsTruncated) break;
      keyMarker = page.NextKeyMarker;
      versionIdMarker = page.NextVersionIdMarker;
      if (keyMarker === undefined && versionIdMarker === undefined) break;
    }
  } else {
    let token: string | undefined;
    for (;;) {
      const page = await call(s3, new sdk.ListObjectsV2Command({ Bucket: target.bucket, Prefix: prefix || undefined, ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        const out = hold({ key: o.Key, versionId: 'null', lastModified: timeOf(o.LastModified), storageClass: o.StorageClass });
        if (out) yield asCopy(out, lockless);
      }
      if (!page.IsTruncated || !page.NextContinuationToken) break;
      token = page.NextContinuationToken;
    }
  }
  if (deleteMarkers) ctx.note(`s3://${target.bucket}: ${deleteMarkers} delete marker${deleteMarkers === 1 ? '' : 's'} (not copies)`);
  candidates.sort((a, b) => b.lastModified - a.lastModified);
  let found = 0;
  for (const v of candidates) {
    if (found >= ctx.immutableWanted) {
      yield asCopy(v, unread);
      continue;
    }
    const head = await call(s3, new sdk.HeadObjectCommand({ Bucket: target.bucket, Key: v.key, VersionId: v.versionId === 'null' ? undefined : v.versionId }));
    const lock = lockOf(head, ctx.at);
    if (lock.immutable) found++;
    yield asCopy(v, lock);
  }
}

/** For `explain`: what the source looks at. */
export function describeS3(source: S3Source): string {
  return `aws.s3: versions of s3://${source.bucket}/${source.prefix} (${source.region ?? 'region from GetBucketLocation'}${source.endpoint ? `, endpoint ${source.endpoint}` : ''})${source.replication ? ' and the destinations of its replication rules' : ''}; calls GetBucketLocation, GetBucketReplication, GetBucketVersioning, GetObjectLockConfiguration, ListObjectVersions (or ListObjectsV2), HeadObject for the newest versions when Object Lock is on`;
}
