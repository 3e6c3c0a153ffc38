import { z } from 'zod';
import { ProviderError } from '../../errors.js';
import { Duration, ms } from '../../util/duration.js';
import type { ActionDef } from '../types.js';
import { awsSession, requireTarget, targetOf, what } from './aws-session.js';
import { listObjects, prefixOf } from './s3-list.js';

export const s3VerifyReplica: ActionDef<{ replica: string; allowLag: string }> = {
  name: 'aws.s3.verify-replica',
  description: 'Checks that every object of the target bucket (under its prefix) is in the replica bucket with the same ETag; objects newer than allowLag may be missing. Outputs the counts.',
  phases: ['fault', 'failover', 'failback'],
  target: 'required',
  targetTypes: ['aws.s3.bucket'],
  params: z.object({
    replica: z.string().min(1).describe('The aws.s3.bucket resource holding the replica.'),
    allowLag: Duration.default('15m').describe('Objects modified this recently may still be replicating.'),
  }),
  resourceParams: ['replica'],
  mutates: false,
  permissions: ['s3:ListBucket'],
  async run(ctx, p) {
    const s = awsSession(ctx);
    const src = requireTarget(ctx);
    const dst = ctx.resource(p.replica);
    const w = what(this.name, src);
    const [a, b] = await Promise.all([listObjects(s, src, prefixOf(src), w, ctx.signal), listObjects(s, dst, prefixOf(src), w, ctx.signal)]);
    const there = new Map(b.map((o) => [o.Key, o.ETag]));
    const cutoff = Date.now() - ms(p.allowLag);
    const missing = a.filter((o) => there.get(o.Key) !== o.ETag && (o.LastModified ? o.LastModified.getTime() < cutoff : true));
    if (missing.length)
      throw new ProviderError(`${w}: ${missing.length} of ${a.length} objects missing or different in ${p.replica} (e.g. ${missing.slice(0, 3).map((o) => o.Key).join(', ')})`, { retryable: true });
    return { objects: a.length, replicated: a.length - missing.length };
  },
};

export const s3CopyLatest: ActionDef<{ to: string; key?: string }> = {
  name: 'aws.s3.copy-latest',
  description: 'Copies the newest object of the target bucket (under its prefix) to another bucket resource; outputs the key.',
  phases: ['failover', 'failback'],
  target: 'required',
  targetTypes: ['aws.s3.bucket'],
  params: z.object({ to: z.string().min(1).describe('The aws.s3.bucket resource to copy into.'), key: z.string().optional().describe('Key in the destination (default: the same key).') }),
  resourceParams: ['to'],
  mutates: true,
  permissions: ['s3:ListBucket', 's3:GetObject', 's3:PutObject'],
  async run(ctx, p) {
    const s = awsSession(ctx);
    const src = requireTarget(ctx);
    const dst = ctx.resource(p.to);
    const w = what(this.name, src);
    const objects = await listObjects(s, src, prefixOf(src), w, ctx.signal);
    const newest = objects.reduce<(typeof objects)[number] | undefined>((n, o) => (!n || (o.LastModified?.getTime() ?? 0) > (n.LastModified?.getTime() ?? 0) ? o : n), undefined);
    if (!newest) throw new ProviderError(`${w}: the bucket has no object to copy`, { retryable: false });
    const s3 = await import('@aws-sdk/client-s3');
    const key = p.key ?? newest.Key;
    // Same store: a server-side copy; different stores (endpoints): read and write.
    if (src.spec.endpoint === dst.spec.endpoint) {
      await s.call('s3', targetOf(dst), new s3.CopyObjectCommand({ Bucket: String(dst.spec.bucket), Key: key, CopySource: `${String(src.spec.bucket)}/${encodeURIComponent(newest.Key)}` }), w, ctx.signal);
    } else {
      const got = await s.call('s3', targetOf(src), new s3.GetObjectCommand({ Bucket: String(src.spec.bucket), Key: newest.Key }), w, ctx.signal);
      const body = await got.Body.transformToByteArray();
      await s.call('s3', targetOf(dst), new s3.PutObjectCommand({ Bucket: String(dst.spec.bucket), Key: key, Body: body }), w, ctx.signal);
    }
    return { key, source: newest.Key, size: newest.Size };
  },
};

export const s3Actions = [s3VerifyReplica, s3CopyLatest];
