// aws.s3.writes against a real S3 HTTP endpoint (s3rver on 127.0.0.1): markers are objects named
// by sequence number, acknowledged when S3 answered; the probe moves to the next bucket when one
// refuses writes, and reads back which acknowledged markers survive, for the data-loss measure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import S3rver from 's3rver';
import { DeleteObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { AwsSession } from '../src/providers/aws/aws-session.js';
import { s3WriteProbe } from '../src/providers/aws/s3-write-probe.js';
import { probeContext, ref } from '../src/providers/aws/testing/fake-world.js';
import { markerKey, type TimelineEvent } from '../src/timeline/timeline-event.js';

let dir: string;
let server: InstanceType<typeof S3rver>;
let endpoint: string;
let s3: S3Client;
const saved = { ...process.env };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lifeboat-s3rver-'));
  server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: 'orders' }, { name: 'orders-replica' }] } as never);
  const addr = (await server.run()) as { port: number };
  endpoint = `http://127.0.0.1:${addr.port}`;
  // The standard credential chain finds these (any static key works with s3rver).
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' });
  s3 = new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
});
afterAll(async () => {
  process.env = saved;
  s3?.destroy();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const acksOf = (events: TimelineEvent[]) => events.filter((e) => e.kind === 'write-ack') as Array<{ writer: string; seq: number; endpoint: string }>;

describe('aws.s3.writes against s3rver', () => {
  it('writes numbered marker objects, acknowledges each, and reads back exactly the ones that survive', async () => {
    const session = new AwsSession({ attempts: 1 });
    const events: TimelineEvent[] = [];
    const primary = ref('primary', 'aws.s3.bucket', { bucket: 'orders', endpoint, prefix: 'p/' });
    const probe = s3WriteProbe.create(probeContext(session, [primary], events, 'writes'), {});
    const signal = new AbortController().signal;
    for (let i = 0; i < 12; i++) expect(await probe.check(signal)).toEqual({ ok: true, endpoint: 'primary' });
    expect(acksOf(events).map((a) => a.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    // The objects are really there, one per acknowledged write, under the run's prefix.
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'orders', Prefix: 'p/lifeboat-markers/run-test/' }));
    expect(listed.Contents).toHaveLength(12);
    // Lose three of them, as a lagging replica would.
    for (const seq of [4, 11, 12]) await s3.send(new DeleteObjectCommand({ Bucket: 'orders', Key: `p/lifeboat-markers/run-test/writes/a1/${String(seq).padStart(10, '0')}` }));
    const found = await probe.readSurvivingMarkers!(signal);
    expect(found.endpoint).toBe('primary');
    const expected = [1, 2, 3, 5, 6, 7, 8, 9, 10].map((s) => markerKey('writes/a1', s));
    expect([...found.keys].sort()).toEqual(expected.sort());
    await probe.close();
    session.close();
  }, 30_000);

  it('moves to the next bucket when one refuses writes, and reads the markers from the one that took the last write', async () => {
    const session = new AwsSession({ attempts: 1 });
    const events: TimelineEvent[] = [];
    const gone = ref('primary', 'aws.s3.bucket', { bucket: 'orders-gone', endpoint });
    const replica = ref('replica', 'aws.s3.bucket', { bucket: 'orders-replica', endpoint });
    const probe = s3WriteProbe.create(probeContext(session, [gone, replica], events, 'writes'), {});
    const signal = new AbortController().signal;
    const first = await probe.check(signal);
    expect(first).toEqual({ ok: true, endpoint: 'replica' });
    for (let i = 0; i < 4; i++) await probe.check(signal);
    expect(new Set(acksOf(events).map((a) => a.endpoint))).toEqual(new Set(['replica']));
    const found = await probe.readSurvivingMarkers!(signal);
    expect(found.endpoint).toBe('replica');
    expect([...found.keys].sort()).toEqual(acksOf(events).map((a) => markerKey(a.writer, a.seq)).sort());
    await probe.close();
    session.close();
  }, 30_000);
});
