import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRegistry } from '../src/cli/default-registry.js';
import { heartbeatLogPath, readHeartbeat } from '../src/engine/heartbeat.js';
import { createLogger } from '../src/log.js';
import { loadRunbook } from '../src/runbook/load.js';
import { createClock } from '../src/timeline/clock.js';
import { runCli, tempStateDir } from './support/run-cli.js';

const T = 60_000;
const AWS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER-secret-9f2', AWS_REGION: 'us-east-1' };

describe('lifeboat heartbeat on S3 (a real s3rver on 127.0.0.1)', () => {
  let server: { run(): Promise<unknown>; close(): Promise<void> };
  let endpoint: string;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lifeboat-s3rver-'));
    server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: 'orders-hb', configs: [] }] });
    const { port } = (await server.run()) as unknown as { port: number };
    endpoint = `http://127.0.0.1:${port}`;
  }, T);
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes one object per acknowledged beat; beats missing from the bucket are the measured loss', async () => {
    const state = tempStateDir();
    const file = join(state, 'rb.yaml');
    writeFileSync(
      file,
      `apiVersion: lifeboat/v1
kind: Runbook
name: s3-hb
objectives: { rpo: 1m }
resources:
  bucket: { type: aws.s3.bucket, bucket: orders-hb, endpoint: "${endpoint}" }
heartbeat: { target: bucket, interval: 100ms }
`,
    );
    const r = await runCli(['--state-dir', state, 'heartbeat', file, '--count', '6', '--json'], AWS);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ acknowledged: 6, failed: 0 });
    const beats = readFileSync(heartbeatLogPath(state, 's3-hb', 'bucket'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { seq: number; ackedAt: number });
    expect(beats).toHaveLength(6);
    for (const text of [r.stdout, r.stderr]) expect(text).not.toContain(AWS.AWS_SECRET_ACCESS_KEY);

    // What the bucket holds, read by the test with its own client.
    const s3 = new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: AWS.AWS_ACCESS_KEY_ID, secretAccessKey: AWS.AWS_SECRET_ACCESS_KEY } });
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'orders-hb', Prefix: 'lifeboat-heartbeat/s3-hb/' }));
    expect((listed.Contents ?? []).map((o) => Number(o.Key!.split('/').at(-1)))).toEqual(beats.map((b) => b.seq));

    // A "new primary" that lacks the two newest beats: the loss is measured from them.
    for (const b of beats.slice(-2)) await s3.send(new DeleteObjectCommand({ Bucket: 'orders-hb', Key: `lifeboat-heartbeat/s3-hb/${String(b.seq).padStart(16, '0')}` }));
    const after = await s3.send(new ListObjectsV2Command({ Bucket: 'orders-hb', Prefix: 'lifeboat-heartbeat/s3-hb/' }));
    expect(after.Contents).toHaveLength(4);
    s3.destroy();
    // The in-process reading uses the standard credential chain too.
    Object.assign(process.env, AWS);
    const registry = defaultRegistry();
    const { runbook } = await loadRunbook(file, registry);
    const clock = createClock();
    const read = await readHeartbeat({
      runbook,
      registry,
      stateDir: state,
      outageStart: beats.at(-1)!.ackedAt + 1,
      signal: AbortSignal.timeout(20_000),
      context: {
        runId: 't',
        clock,
        log: createLogger({ level: 'silent' }),
        resource: (n) => ({ name: n, type: runbook.resources[n]!.type, spec: { ...runbook.resources[n]! } }),
        resourceType: (t) => registry.resourceType(t),
        record: () => {},
      },
    });
    expect(read?.notMeasured).toBeUndefined();
    expect(read).toMatchObject({ kind: 'heartbeat', target: 'bucket', acknowledged: 6, lost: 2, rpoMs: beats[5]!.ackedAt - beats[3]!.ackedAt, rpoIsLowerBound: false });
  }, T);
});
