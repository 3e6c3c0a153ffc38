import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defaultRegistry } from '../src/cli/default-registry.js';
import { startProcessLab } from '../src/lab/process/process-lab.js';
import { runDrill } from '../src/engine/run-drill.js';
import { createRegistry } from '../src/providers/registry.js';
import type { ActionDef, Provider } from '../src/providers/types.js';
import { loadRunbook } from '../src/runbook/load.js';
import type { RunResult } from '../src/verify/run-result.js';
import { labLeftovers } from './support/lab-leftovers.js';
import { livePidsMentioning, query } from './support/pg-lab-helpers.js';
import { journalOf, reportOf, runCli, tempStateDir } from './support/run-cli.js';

const EXAMPLE = readFileSync('runbooks/local-postgres-restore.yaml', 'utf8');
const scratch = mkdtempSync(join(tmpdir(), 'lifeboat-restore-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The example restore drill with its text changed by `edit`, written to a scratch file. */
function variant(name: string, edit: (text: string) => string): string {
  const file = join(scratch, `${name}.yaml`);
  writeFileSync(file, edit(EXAMPLE));
  return file;
}

/**
 * What the test observes itself: the wall-clock instant just before the primary is killed (a
 * test action right before `lab.kill`), and, after recovery, the markers in the restored database
 * with the server's own insert time of each.
 */
interface Truth {
  killAt?: number;
  restored?: Map<string, number>;
}

function truthRegistry(truth: Truth) {
  const noteKill: ActionDef<Record<string, never>> = {
    name: 'test.note-kill',
    description: 'test: the instant before the kill',
    phases: ['fault'],
    target: 'none',
    params: z.object({}),
    mutates: false,
    async run() {
      truth.killAt = Date.now();
      return undefined;
    },
  };
  const readRestored: ActionDef<Record<string, never>> = {
    name: 'test.read-restored',
    description: 'test: the markers in the restored database',
    phases: ['failback'],
    target: 'required',
    params: z.object({}),
    mutates: false,
    async run(ctx) {
      const cfg = ctx.lab!.service(String(ctx.target!.spec.service)).connection();
      const rows = await query<{ writer: string; seq: string; at: number }>(cfg, 'select writer, seq, extract(epoch from acked_at) * 1000 as at from lifeboat_markers where run_id = $1', [ctx.runId]);
      truth.restored = new Map(rows.map((r) => [`${r.writer}:${Number(r.seq)}`, Number(r.at)]));
      return { markers: truth.restored.size };
    },
  };
  const provider: Provider = { name: 'test', resourceTypes: [], actions: [noteKill, readRestored], probes: [] };
  return createRegistry([...defaultRegistry().providers, provider], defaultRegistry().labDrivers);
}

/** Runs a variant of the example in-process, with the test's own observations around the kill and after recovery. */
async function drillWithTruth(file: string, env: NodeJS.ProcessEnv = process.env): Promise<{ result: RunResult; truth: Truth; stateDir: string }> {
  const truth: Truth = {};
  const registry = truthRegistry(truth);
  const loaded = await loadRunbook(file, registry);
  const kill = loaded.runbook.fault.findIndex((s) => 'action' in s && s.action === 'lab.kill');
  loaded.runbook.fault.splice(kill, 0, { id: 'note-kill', action: 'test.note-kill', onFailure: 'abort' } as never);
  loaded.runbook.failback.unshift({ id: 'read-restored', action: 'test.read-restored', target: 'restored', onFailure: 'abort' } as never);
  const stateDir = tempStateDir();
  const result = await runDrill({ loaded, registry, stateDir, log: pino({ level: 'silent' }), env });
  return { result, truth, stateDir };
}

/**
 * The tolerance between the measured RPO and the test's own: the verifier's t0 is the start of the
 * first failed write check, which lies within one writes interval (50 ms) of the kill — or before
 * it by as long as a check that the kill broke had been running — plus the kill's own duration and
 * the scheduling slack of two cores shared by many test processes (checks then take hundreds of ms).
 */
const RPO_TOLERANCE_MS = 500;

/** Checks lost writes and RPO against the test's own reading of the restored database and its own clock. */
function expectMeasuredAgainstTruth(result: RunResult, truth: Truth): void {
  expect(result.status, result.error).toBe('completed');
  expect(truth.killAt).toBeDefined();
  expect(truth.restored).toBeDefined();
  const acked = new Set(result.timeline.filter((e) => e.kind === 'write-ack').map((e: any) => `${e.writer}:${e.seq}`));
  const lost = [...acked].filter((k) => !truth.restored!.has(k));
  expect(result.measurements.acknowledgedWrites).toBe(acked.size);
  expect(result.measurements.lostWrites).toBe(lost.length);
  // The writes after the backup (the drill waits 1 s after it) are lost: about 20 at 50 ms.
  expect(lost.length).toBeGreaterThanOrEqual(10);
  // The age of the restored data, from the test's own clock and the database's own insert times.
  const newestRestored = Math.max(...[...truth.restored!.values()].filter((t) => t < truth.killAt!));
  const ownRpo = truth.killAt! - newestRestored;
  expect(ownRpo).toBeGreaterThan(1000);
  expect(Math.abs(result.measurements.rpoMs! - ownRpo), `measured ${result.measurements.rpoMs}, own ${ownRpo}`).toBeLessThanOrEqual(RPO_TOLERANCE_MS);
  // The newest write present, as the verifier saw it acknowledged: just after the server inserted it.
  expect(result.measurements.restoredDataAt! - newestRestored).toBeGreaterThanOrEqual(0);
  expect(result.measurements.restoredDataAt! - newestRestored).toBeLessThan(50);
  expect(result.measurements.rpoIsLowerBound).toBe(false);
  expect(result.timeline.some((e) => e.kind === 'mark' && e.name === 'restored')).toBe(true);
  // The outage is searched for after the backup, which only prepared the fault.
  const backupEnded = result.steps.find((s) => s.id === 'backup')!.endedAt!;
  expect(result.measurements.outageStartAt).toBeGreaterThanOrEqual(backupEnded - 50);
}

describe('an empty lab service (process lab)', () => {
  it('is not started at lab up, refuses lab.start until restored, and goes with the lab', async () => {
    const lab = await startProcessLab({ empty: { kind: 'postgres', empty: true } }, { root: scratch });
    const svc = lab.service('empty');
    expect(svc.isRunning()).toBe(false);
    expect(svc.port).toBeGreaterThan(0);
    await expect(query(svc.connection(), 'select 1', [], 1_000)).rejects.toThrow(/ECONNREFUSED/);
    await expect(svc.start()).rejects.toThrow('"empty" has no data (a lab service declared empty: true): fill it with postgres.restore first');
    await lab.teardown();
    expect(livePidsMentioning(lab.root)).toEqual([]);
  });
});

describe('restore drill (process lab, real PostgreSQL)', () => {
  it('restores the newest base backup from a local directory; RPO and lost writes match the restored database', async () => {
    const dir = join(scratch, 'local');
    const { result, truth } = await drillWithTruth(variant('local', (t) => t.replaceAll('path: .lifeboat/backups', `path: ${dir}`)));
    expectMeasuredAgainstTruth(result, truth);
    const backup = result.steps.find((s) => s.id === 'backup')!.output as Record<string, unknown>;
    const restore = result.steps.find((s) => s.id === 'restore')!.output as Record<string, unknown>;
    expect(backup).toMatchObject({ method: 'basebackup', location: join(dir, 'primary') });
    expect(restore).toMatchObject({ method: 'basebackup', backup: backup.backup });
    expect(readdirSync(join(dir, 'primary'))).toEqual([backup.backup]);
    expect(result.verdict).toBe('met');
  }, 120_000);

  it('restores the newest of several backups: the older one is not used', async () => {
    const dir = join(scratch, 'several');
    // Two backups in the drill; the restore must take the second.
    const file = variant('several', (t) =>
      t
        .replaceAll('path: .lifeboat/backups', `path: ${dir}`)
        .replace(/(  - \{ id: backup, .*\n)/, '  - { id: older, action: postgres.backup, target: primary, method: dump, path: DIR }\n$1'.replace('DIR', dir)),
    );
    const { result, truth } = await drillWithTruth(file);
    expectMeasuredAgainstTruth(result, truth);
    const newest = (result.steps.find((s) => s.id === 'backup')!.output as Record<string, unknown>).backup;
    expect((result.steps.find((s) => s.id === 'restore')!.output as Record<string, unknown>).backup).toBe(newest);
  }, 120_000);

  describe('to and from S3 (s3rver on 127.0.0.1)', () => {
    let server: { run(): Promise<{ port: number }>; close(): Promise<void> };
    let endpoint: string;
    beforeAll(async () => {
      // s3rver knows one access key (S3RVER); any secret is accepted, so the test can look for its own.
      server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, allowMismatchedSignatures: true, directory: join(scratch, 's3'), configureBuckets: [{ name: 'drill-backups', configs: [] }] });
      const { port } = await server.run();
      endpoint = `http://127.0.0.1:${port}`;
    });
    afterAll(() => server?.close());

    it('backs up with pg_dump to a bucket and restores the newest dump into the empty service', async () => {
      const file = variant('s3', (t) =>
        t
          .replace('resources:\n', `resources:\n  store: { type: aws.s3.bucket, bucket: drill-backups, endpoint: "${endpoint}", region: us-east-1 }\n`)
          .replace('method: basebackup, path: .lifeboat/backups, keep: 3', 'method: dump, bucket: store, prefix: drills/, keep: 1')
          .replace('path: .lifeboat/backups, set: primary', 'bucket: store, prefix: drills/, set: primary'),
      );
      const secret = 'lifeboat-test-secret-7d2e9a';
      // The SDK's credential chain reads the process environment.
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: secret, AWS_REGION: 'us-east-1' });
      const { result, truth, stateDir } = await drillWithTruth(file);
      expectMeasuredAgainstTruth(result, truth);
      // The secret key is neither in the journal nor in the result (what history rows and reports are made of).
      const files = readdirSync(stateDir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
      expect(files.map((f) => f.name)).toContain('journal.jsonl');
      for (const f of files) expect(readFileSync(join(f.parentPath, f.name)).includes(secret), join(f.parentPath, f.name)).toBe(false);
      expect(JSON.stringify(result)).not.toContain(secret);
      const backup = result.steps.find((s) => s.id === 'backup')!.output as Record<string, unknown>;
      expect(backup).toMatchObject({ method: 'dump', location: 's3://drill-backups/drills/primary/' });
      expect((result.steps.find((s) => s.id === 'restore')!.output as Record<string, unknown>)).toMatchObject({ method: 'dump', backup: backup.backup });
      // The object is really in the bucket (s3rver keeps it on disk), with the size the step reported.
      const { S3Client, ListObjectsV2Command } = await import('@aws-sdk/client-s3');
      const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'drill-backups', Prefix: 'drills/primary/' }));
      s3.destroy();
      expect(listed.Contents?.map((o) => [o.Key, o.Size])).toEqual([[`drills/primary/${backup.backup}`, backup.bytes]]);
    }, 120_000);
  });

  it('fails with a clear message when the newest backup is corrupt, and leaves nothing running', async () => {
    const dir = join(scratch, 'corrupt');
    // No backup step: the failover restores what is there, a gzip that is not a base backup.
    const file = variant('corrupt', (t) => t.replaceAll('path: .lifeboat/backups', `path: ${dir}`).replace(/  - \{ id: backup, .*\n/, ''));
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'primary'), { recursive: true });
    writeFileSync(join(dir, 'primary', '20261129T000000000Z_20261129-000000-abcdef_backup.tar.gz'), Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7]));
    const state = tempStateDir();
    const r = await runCli(['--state-dir', state, 'drill', file]);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout + r.stderr).toMatch(/restore.*unpacking the base backup .*20261129T000000000Z_20261129-000000-abcdef_backup\.tar\.gz into "restored" failed/s);
    const { runId, path } = journalOf(state)!;
    const report = reportOf(state, runId);
    expect(report.status).toBe('failed');
    expect(report.steps.find((s: any) => s.id === 'restore')).toMatchObject({ status: 'failed', attempts: 1 });
    expect(labLeftovers(path)).toEqual([]);
  }, 120_000);

  it('fails with a clear message when there is no backup at all, and leaves nothing running', async () => {
    const dir = join(scratch, 'none');
    const file = variant('none', (t) => t.replaceAll('path: .lifeboat/backups', `path: ${dir}`).replace(/  - \{ id: backup, .*\n/, ''));
    const state = tempStateDir();
    const r = await runCli(['--state-dir', state, 'drill', file]);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout + r.stderr).toContain(`no backup to restore: ${join(dir, 'primary')} holds none`);
    expect(labLeftovers(journalOf(state)!.path)).toEqual([]);
  }, 120_000);
});
