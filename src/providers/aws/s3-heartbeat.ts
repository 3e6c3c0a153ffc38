import type { HeartbeatOptions, HeartbeatTarget, ProviderContext, ResourceRef } from '../types.js';
import { AwsClients, type AwsSettings } from './aws-clients.js';
import { awsCall } from './aws-call.js';

/** Beats sort by key: seq (epoch ms) zero-padded. */
const keyOf = (prefix: string, seq: number) => `${prefix}${String(seq).padStart(16, '0')}`;

/**
 * A heartbeat in S3: one object per beat, `<prefix><runbook>/<seq>`, acknowledged when PutObject
 * returned; objects past the retention are deleted as new beats arrive. The SDK loads only when
 * the heartbeat first writes; every call goes through Lifeboat's retry layer (`awsCall`).
 */
export function s3Heartbeat(ref: ResourceRef, ctx: ProviderContext, o: HeartbeatOptions): HeartbeatTarget {
  // --profile / --region reach the heartbeat as they reach the AWS provider.
  const clients = new AwsClients((ctx.settings?.aws ?? {}) as AwsSettings);
  const spec = ref.spec as { bucket: string; region?: string; endpoint?: string };
  const prefix = `${o.prefix}${o.runbook}/`;
  const what = `heartbeat on resource "${ref.name}"`;
  const s3 = () => clients.get('s3', { ...(spec.region ? { region: spec.region } : {}), ...(spec.endpoint ? { endpoint: spec.endpoint } : {}) });
  const written: number[] = [];
  return {
    label: `${ref.name} (s3://${spec.bucket}/${prefix})`,
    async beat(seq, signal) {
      const { PutObjectCommand, DeleteObjectCommand } = await import('@aws-sdk/client-s3');
      const client = await s3();
      await awsCall('s3', client, new PutObjectCommand({ Bucket: spec.bucket, Key: keyOf(prefix, seq), Body: `${seq}\n`, ContentType: 'text/plain' }), { what, signal, attempts: 2 });
      written.push(seq);
      // Only beats this process wrote are cleaned up; a failed delete never fails a beat.
      while (written.length && written[0]! < seq - o.retentionMs) {
        const old = written.shift()!;
        await awsCall('s3', client, new DeleteObjectCommand({ Bucket: spec.bucket, Key: keyOf(prefix, old) }), { what, signal, attempts: 1 }).catch(() => {});
      }
    },
    async present(seqs, signal) {
      if (seqs.length === 0) return new Set();
      const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
      const client = await s3();
      const wanted = new Set(seqs);
      const found = new Set<number>();
      const startAfter = keyOf(prefix, Math.min(...seqs) - 1);
      let token: string | undefined;
      do {
        const page = await awsCall<{ Contents?: Array<{ Key?: string }>; NextContinuationToken?: string; IsTruncated?: boolean }>(
          's3',
          client,
          new ListObjectsV2Command({ Bucket: spec.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : { StartAfter: startAfter }) }),
          { what, signal },
        );
        for (const o of page.Contents ?? []) {
          const seq = Number(o.Key?.slice(prefix.length));
          if (wanted.has(seq)) found.add(seq);
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return found;
    },
    async close() {
      clients.destroy();
    },
  };
}
