import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Copies } from '../src/backups/sources/s3-source.js';
import { collect, testContext } from '../src/backups/testing/collect.js';
import { AwsClients } from '../src/providers/aws/aws-clients.js';
import { startS3rver } from './support/s3rver-server.js';

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
let s3rver: Awaited<ReturnType<typeof startS3rver>>;
let put: S3Client;
const written = new Map<string, number>();

beforeAll(async () => {
  s3rver = await startS3rver(['dumps']);
  put = new S3Client({ endpoint: s3rver.endpoint, region: 'eu-west-1', forcePathStyle: true, credentials, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  // Keys under the prefix and a few outside it. (s3rver 3.7 answers a truncated ListObjectsV2 with
  // an internal error, so paging is tested through aws-sdk-client-mock in s3-source.test.ts.)
  const keys = [...Array.from({ length: 30 }, (_, i) => `orders/${String(i).padStart(4, '0')}.sql`), 'logs/a.log', 'logs/b.log'];
  for (let i = 0; i < keys.length; i += 50)
    await Promise.all(
      keys.slice(i, i + 50).map(async (Key) => {
        await put.send(new PutObjectCommand({ Bucket: 'dumps', Key, Body: `dump ${Key}` }));
        written.set(Key, Date.now());
      }),
    );
}, 60_000);
afterAll(async () => {
  put?.destroy();
  await s3rver?.stop();
});

describe('aws.s3 source against a real S3 endpoint (s3rver)', () => {
  it('lists an unversioned bucket: every object under the prefix is one copy, as old as s3rver says', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
    process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
    const aws = new AwsClients({ region: 'eu-west-1' });
    const ctx = testContext({ aws, at: Date.now() });
    try {
      const copies = await collect(s3Copies({ type: 'aws.s3', bucket: 'dumps', prefix: 'orders/', region: 'eu-west-1', endpoint: s3rver.endpoint, replication: true }, ctx));
      const expected = [...written.keys()].filter((k) => k.startsWith('orders/'));
      expect(copies.map((c) => c.id).sort()).toEqual(expected.map((k) => `s3://dumps/${k}`).sort());
      const first = copies.find((c) => c.id === 's3://dumps/orders/0000.sql')!;
      expect(first).toMatchObject({ medium: 'object storage', location: 'eu-west-1', immutable: false });
      // s3rver keeps whole seconds: the time it reports is within a second of when we wrote it.
      expect(Math.abs(first.createdAt - written.get('orders/0000.sql')!)).toBeLessThan(1500);
      expect(ctx.notes).toEqual(['s3://dumps: the endpoint does not support replication configuration', 's3://dumps: the endpoint does not support Object Lock']);
    } finally {
      aws.destroy();
    }
  });
});
