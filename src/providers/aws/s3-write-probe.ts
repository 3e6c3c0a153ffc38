import { z } from 'zod';
import { ProviderError, messageOf } from '../../errors.js';
import { markerKey } from '../../timeline/timeline-event.js';
import type { ProbeContext, ProbeDef, ProbeInstance, ProbeResult, ResourceRef } from '../types.js';
import { awsSession, targetOf } from './aws-session.js';
import { listObjects, prefixOf } from './s3-list.js';

/** Where a run's markers live in a bucket: `<prefix>lifeboat-markers/<run>/<writer>/<seq>`. */
const markerPrefix = (ref: ResourceRef, runId: string) => `${prefixOf(ref)}lifeboat-markers/${runId}/`;

/**
 * The S3 write-marker probe: each check puts one object named by its sequence number into the
 * first bucket (of `endpoints`, in order, the last that worked first) that accepts the write, and
 * records the acknowledgement when S3 answered. After recovery the markers are listed in the
 * bucket that took the last write: acknowledged markers missing there are lost writes.
 */
export class S3WriteProbe implements ProbeInstance {
  private seq = 0;
  private preferred: ResourceRef | undefined;
  private readonly writer: string;

  constructor(private readonly ctx: ProbeContext) {
    this.writer = `${ctx.probeName}/a${ctx.attempt}`;
  }

  private order(): ResourceRef[] {
    const rest = this.ctx.endpoints.filter((e) => e !== this.preferred);
    return this.preferred ? [this.preferred, ...rest] : rest;
  }

  async check(signal: AbortSignal): Promise<ProbeResult> {
    const s3 = await import('@aws-sdk/client-s3');
    const s = awsSession(this.ctx);
    const errors: string[] = [];
    for (const ref of this.order()) {
      if (signal.aborted) break;
      const seq = ++this.seq;
      try {
        const key = `${markerPrefix(ref, this.ctx.runId)}${this.writer}/${String(seq).padStart(10, '0')}`;
        // Throttling and 5xx are retried inside the check (bounded by its timeout), as an
        // application would; the check's start is what the measurement uses.
        await s.call('s3', targetOf(ref), new s3.PutObjectCommand({ Bucket: String(ref.spec.bucket), Key: key, Body: String(seq), ContentType: 'text/plain' }), `probe ${this.ctx.probeName}`, signal);
        this.ctx.record({ t: this.ctx.clock.now(), kind: 'write-ack', probe: this.ctx.probeName, writer: this.writer, seq, endpoint: ref.name });
        this.preferred = ref;
        return { ok: true, endpoint: ref.name };
      } catch (err) {
        errors.push(`${ref.name}: ${signal.aborted ? 'timed out' : messageOf(err)}`);
      }
    }
    return { ok: false, error: errors.join('; ') || 'timed out' };
  }

  async readSurvivingMarkers(signal: AbortSignal): Promise<{ endpoint: string; keys: Set<string> }> {
    const ref = this.preferred ?? this.ctx.endpoints[0];
    if (!ref) throw new ProviderError('no bucket to read the markers from');
    const prefix = markerPrefix(ref, this.ctx.runId);
    const objects = await listObjects(awsSession(this.ctx), ref, prefix, `probe ${this.ctx.probeName}: reading markers`, signal);
    const keys = new Set<string>();
    for (const o of objects) {
      const m = /^(.+)\/(\d+)$/.exec(o.Key.slice(prefix.length));
      if (m) keys.add(markerKey(m[1]!, Number(m[2])));
    }
    return { endpoint: ref.name, keys };
  }

  async close(): Promise<void> {}
}

/** `aws.s3.writes`: the S3 write-marker probe (lost writes and RPO of a bucket failover). */
export const s3WriteProbe: ProbeDef = {
  type: 'aws.s3.writes',
  description: 'Puts a numbered marker object per check into the first bucket that accepts it; acknowledged markers missing afterwards are lost writes (S3 RPO).',
  targets: 'endpoints',
  targetTypes: ['aws.s3.bucket'],
  measuresWrites: true,
  params: z.object({}),
  permissions: ['s3:PutObject', 's3:ListBucket'],
  create: (ctx) => new S3WriteProbe(ctx),
};
