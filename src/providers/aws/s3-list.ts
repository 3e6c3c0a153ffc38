import type { ResourceRef } from '../types.js';
import { targetOf, type AwsSession } from './aws-session.js';

/** Every object under a prefix of a bucket resource (all pages). */
export async function listObjects(session: AwsSession, ref: ResourceRef, prefix: string, what: string, signal?: AbortSignal): Promise<Array<{ Key: string; ETag?: string; Size?: number; LastModified?: Date }>> {
  const s3 = await import('@aws-sdk/client-s3');
  const all: any[] = [];
  let token: string | undefined;
  do {
    const out = await session.call(
      's3',
      targetOf(ref),
      new s3.ListObjectsV2Command({ Bucket: String(ref.spec.bucket), Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
      what,
      signal,
    );
    all.push(...(out.Contents ?? []));
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token);
  return all;
}

/** The prefix a bucket resource declares (or none). */
export const prefixOf = (ref: ResourceRef): string => (typeof ref.spec.prefix === 'string' ? ref.spec.prefix : '');
