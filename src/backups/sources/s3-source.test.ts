import {
  GetBucketLocationCommand,
  GetBucketReplicationCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../errors.js';
import { BackupPolicySchema, type S3Source } from '../policy-schema.js';
import { collect, testContext } from '../testing/collect.js';
import { lockOf, s3Copies } from './s3-source.js';

const AT = Date.UTC(2026, 0, 15, 12, 0, 0);
const HOUR = 3_600_000;
const s3 = mockClient(S3Client);

function source(over: Partial<S3Source> = {}): S3Source {
  return { type: 'aws.s3', bucket: 'dumps', prefix: 'orders/', replication: true, ...over };
}

function sdkError(name: string, status = 400): S3ServiceException {
  return new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });
}

/** Versions of `orders/<n>.sql`, newest first as S3 lists them, in pages of `pageSize` by KeyMarker + VersionIdMarker. */
function versionedBucket(bucket: string, versions: Array<{ key: string; id: string; at: number; storageClass?: string }>, deleteMarkers: string[], pageSize: number) {
  s3.on(ListObjectVersionsCommand, { Bucket: bucket }).callsFake((input: { KeyMarker?: string; VersionIdMarker?: string }) => {
    const start = input.KeyMarker === undefined ? 0 : versions.findIndex((v) => v.key === input.KeyMarker && v.id === input.VersionIdMarker) + 1;
    const page = versions.slice(start, start + pageSize);
    const truncated = start + pageSize < versions.length;
    const last = page[page.length - 1];
    return {
      Versions: page.map((v) => ({ Key: v.key, VersionId: v.id, LastModified: new Date(v.at), StorageClass: v.storageClass ?? 'STANDARD', IsLatest: false })),
      DeleteMarkers: start === 0 ? deleteMarkers.map((k) => ({ Key: k, VersionId: `dm-${k}`, LastModified: new Date(AT) })) : [],
      IsTruncated: truncated,
      ...(truncated ? { NextKeyMarker: last!.key, NextVersionIdMarker: last!.id } : {}),
    };
  });
}

beforeEach(() => {
  s3.reset();
  s3.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled' });
  s3.on(GetBucketReplicationCommand).rejects(sdkError('ReplicationConfigurationNotFoundError', 404));
  s3.on(GetObjectLockConfigurationCommand).rejects(sdkError('ObjectLockConfigurationNotFoundError', 404));
  s3.on(GetBucketLocationCommand).resolves({ LocationConstraint: 'eu-west-1' });
});
afterEach(() => s3.reset());

describe('aws.s3 source', () => {
  it('pages ListObjectVersions by KeyMarker and VersionIdMarker, counts every version and no delete marker', async () => {
    const versions = Array.from({ length: 7 }, (_, i) => ({ key: `orders/${i % 3}.sql`, id: `v${i}`, at: AT - i * HOUR, storageClass: i === 6 ? 'DEEP_ARCHIVE' : 'STANDARD' }));
    versionedBucket('dumps', versions, ['orders/gone.sql'], 3);
    const ctx = testContext();
    const copies = await collect(s3Copies(source(), ctx));
    expect(copies.map((c) => c.id).sort()).toEqual(versions.map((v) => `s3://dumps/${v.key}?versionId=${v.id}`).sort());
    expect(copies.find((c) => c.id.endsWith('v6'))!.medium).toBe('archive storage');
    expect(copies.find((c) => c.id.endsWith('v0'))).toMatchObject({ medium: 'object storage', location: 'eu-west-1', createdAt: AT, immutable: false, immutability: 's3://dumps has no Object Lock' });
    const pages = s3.commandCalls(ListObjectVersionsCommand).map((c) => [c.args[0].input.KeyMarker, c.args[0].input.VersionIdMarker]);
    expect(pages).toEqual([[undefined, undefined], ['orders/2.sql', 'v2'], ['orders/2.sql', 'v5']]);
    expect(ctx.notes).toEqual(['s3://dumps: 1 delete marker (not copies)']);
  });

  it('lists a bucket that was never versioned with ListObjectsV2, following its continuation tokens', async () => {
    s3.on(GetBucketVersioningCommand).resolves({});
    const keys = Array.from({ length: 5 }, (_, i) => `orders/${i}.sql`);
    s3.on(ListObjectsV2Command).callsFake((input: { ContinuationToken?: string }) => {
      const start = Number(input.ContinuationToken ?? 0);
      const next = start + 2 < keys.length ? String(start + 2) : undefined;
      return { Contents: keys.slice(start, start + 2).map((Key) => ({ Key, LastModified: new Date(AT), StorageClass: 'GLACIER' })), IsTruncated: !!next, NextContinuationToken: next };
    });
    const copies = await collect(s3Copies(source(), testContext()));
    expect(copies.map((c) => [c.id, c.medium])).toEqual(keys.map((k) => [`s3://dumps/${k}`, 'archive storage']));
    expect(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input.ContinuationToken)).toEqual([undefined, '2', '4']);
  });

  it('holds no copy when the prefix has only delete markers', async () => {
    versionedBucket('dumps', [], ['orders/a.sql', 'orders/b.sql'], 1000);
    const ctx = testContext();
    expect(await collect(s3Copies(source(), ctx))).toEqual([]);
    expect(ctx.notes).toEqual(['s3://dumps: 2 delete markers (not copies)']);
  });

  it('reads Object Lock only for the newest versions, until enough immutable copies are found', async () => {
    const versions = Array.from({ length: 20 }, (_, i) => ({ key: `orders/${i}.sql`, id: `v${i}`, at: AT - i * HOUR }));
    versionedBucket('dumps', versions, [], 5);
    s3.on(GetObjectLockConfigurationCommand).resolves({ ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' } });
    // v0: GOVERNANCE (bypassable), v1: COMPLIANCE expired, v2: COMPLIANCE in force, v3: legal hold.
    s3.on(HeadObjectCommand, { VersionId: 'v0' }).resolves({ ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: new Date(AT + 30 * 24 * HOUR) });
    s3.on(HeadObjectCommand, { VersionId: 'v1' }).resolves({ ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: new Date(AT - HOUR) });
    s3.on(HeadObjectCommand, { VersionId: 'v2' }).resolves({ ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: new Date(AT + 24 * HOUR) });
    s3.on(HeadObjectCommand, { VersionId: 'v3' }).resolves({ ObjectLockLegalHoldStatus: 'ON' });
    const copies = await collect(s3Copies(source(), testContext({ immutableWanted: 2 })));
    const byId = (v: string) => copies.find((c) => c.id.endsWith(`versionId=${v}`))!;
    expect(byId('v0')).toMatchObject({ immutable: false, bypassableLock: true, immutability: expect.stringContaining('GOVERNANCE') });
    expect(byId('v0').immutability).toContain('can be bypassed');
    expect(byId('v1')).toMatchObject({ immutable: false, immutability: `Object Lock COMPLIANCE expired ${new Date(AT - HOUR).toISOString()}` });
    expect(byId('v2')).toMatchObject({ immutable: true, retainUntil: AT + 24 * HOUR });
    expect(byId('v3')).toMatchObject({ immutable: true, immutability: 'Object Lock legal hold ON' });
    expect(byId('v4').immutability).toMatch(/not read/);
    expect(copies).toHaveLength(20);
    // Four reads decided the rule: v0..v3, newest first; nothing older was asked.
    expect(s3.commandCalls(HeadObjectCommand).map((c) => c.args[0].input.VersionId)).toEqual(['v0', 'v1', 'v2', 'v3']);
  });

  it('lists the destination of a replication rule, in its region; a same-region destination is not offsite', async () => {
    versionedBucket('dumps', [{ key: 'orders/1.sql', id: 'a1', at: AT - HOUR }], [], 1000);
    versionedBucket('dumps-dr', [{ key: 'orders/1.sql', id: 'b1', at: AT - HOUR + 60_000 }], [], 1000);
    versionedBucket('dumps-copy', [{ key: 'orders/1.sql', id: 'c1', at: AT - HOUR + 60_000 }], [], 1000);
    s3.on(GetBucketReplicationCommand, { Bucket: 'dumps' }).resolves({
      ReplicationConfiguration: {
        Role: 'arn:aws:iam::1:role/r',
        Rules: [
          { ID: 'to-dr', Status: 'Enabled', Filter: { Prefix: 'orders/' }, Destination: { Bucket: 'arn:aws:s3:::dumps-dr' } },
          { ID: 'same-region', Status: 'Enabled', Filter: { Prefix: '' }, Destination: { Bucket: 'arn:aws:s3:::dumps-copy' } },
          { ID: 'other-prefix', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Destination: { Bucket: 'arn:aws:s3:::logs-dr' } },
          { ID: 'off', Status: 'Disabled', Filter: { Prefix: '' }, Destination: { Bucket: 'arn:aws:s3:::old-dr' } },
        ],
      },
    });
    s3.on(GetBucketLocationCommand, { Bucket: 'dumps-dr' }).resolves({ LocationConstraint: 'us-west-2' });
    const ctx = testContext();
    const copies = await collect(s3Copies(source({ region: 'eu-west-1' }), ctx));
    expect(copies.map((c) => [c.id, c.location])).toEqual([
      ['s3://dumps/orders/1.sql?versionId=a1', 'eu-west-1'],
      ['s3://dumps-dr/orders/1.sql?versionId=b1', 'us-west-2'],
      ['s3://dumps-copy/orders/1.sql?versionId=c1', 'eu-west-1'],
    ]);
    expect(ctx.notes.slice(0, 2)).toEqual(['s3://dumps replicates to s3://dumps-dr (us-west-2) by rule to-dr', 's3://dumps replicates to s3://dumps-copy (eu-west-1) by rule same-region']);
    expect(s3.commandCalls(GetBucketLocationCommand).map((c) => c.args[0].input.Bucket)).toEqual(['dumps-dr', 'dumps-copy']);
  });

  it('fails with the IAM permission named when the listing is denied', async () => {
    s3.on(ListObjectVersionsCommand).rejects(sdkError('AccessDenied', 403));
    const err = await collect(s3Copies(source(), testContext())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as Error).message).toMatch(/^backups source aws\.s3 s3:\/\/dumps\/orders\/: access denied for s3:ListBucketVersions/);
  });

  it('validates strictly: an unknown field is a problem', () => {
    const base = { apiVersion: 'lifeboat/v1', kind: 'BackupPolicy', name: 'p', resource: 'r', primary: { location: 'eu-west-1' } };
    expect(BackupPolicySchema.safeParse({ ...base, sources: [{ type: 'aws.s3', bucket: 'dumps', colour: 'x' }] }).success).toBe(false);
    expect(BackupPolicySchema.safeParse({ ...base, sources: [{ type: 'aws.s3', bucket: 'dumps' }] }).success).toBe(true);
  });
});

describe('Object Lock classification', () => {
  it('counts COMPLIANCE only while its retain-until is after the check time', () => {
    expect(lockOf({ ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: new Date(AT + 1) }, AT).immutable).toBe(true);
    expect(lockOf({ ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: new Date(AT) }, AT).immutable).toBe(false);
    expect(lockOf({ ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: new Date(AT + HOUR), ObjectLockLegalHoldStatus: 'OFF' }, AT)).toMatchObject({ immutable: false, bypassableLock: true });
    expect(lockOf({ ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: new Date(AT + HOUR), ObjectLockLegalHoldStatus: 'ON' }, AT).immutable).toBe(true);
    expect(lockOf({}, AT)).toEqual({ immutable: false, immutability: 'no Object Lock retention or legal hold on this version' });
  });
});
