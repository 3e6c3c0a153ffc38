import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { atMost, fmtMs, info, type BenchReport } from './support/bench-report.js';

const ROOT = resolve(import.meta.dirname, '..');

/**
 * `backups check` classifying 1,000,000 S3 object versions and 100,000 snapshots (EBS and RDS)
 * from paginated fakes that build each page when asked and keep no call history, in a child
 * process so that its peak RSS is its own.
 */
export async function backupsClassifyBench(progress: (line: string) => void): Promise<BenchReport> {
  const versions = Number(process.env.BENCH_S3_VERSIONS ?? 1_000_000);
  const snapshots = Number(process.env.BENCH_SNAPSHOTS ?? 100_000);
  progress(`${versions} versions, ${snapshots} snapshots`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/support/backups-classify-child.ts')], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, BENCH_S3_VERSIONS: String(versions), BENCH_SNAPSHOTS: String(snapshots) },
  });
  if (r.status !== 0) throw new Error(`the bench child exited ${r.status}: ${r.stderr}`);
  const m = JSON.parse(r.stdout.trim().split('\n').pop()!) as { elapsedMs: number; maxRssMb: number; copies: number; immutable: number; errors: unknown[] };
  // The primary is one copy; every version and snapshot is another (the second EBS pass adds none).
  const expected = versions + snapshots + 1;
  if (m.copies !== expected || m.errors.length) throw new Error(`counted ${m.copies} copies (expected ${expected}), errors ${JSON.stringify(m.errors)}`);
  return {
    title: 'classifying S3 versions and snapshots from paginated fakes',
    figures: [
      atMost(`time to classify ${versions.toLocaleString('en')} versions + ${snapshots.toLocaleString('en')} snapshots`, m.elapsedMs, 10_000),
      atMost('peak RSS of the child (MB)', m.maxRssMb, 256, (v) => `${v.toFixed(0)} MB`),
      info('copies counted', `${m.copies.toLocaleString('en')} (= versions + snapshots + primary)`),
      info('immutable copies found (HeadObject reads)', String(m.immutable)),
      info('throughput', `${fmtMs(m.elapsedMs / ((versions + snapshots) / 1e6))} per million copies`),
    ],
    notes: ['pages of 1000 (S3, EBS) and 100 (RDS) are built when asked; the three SDK clients are loaded before timing starts and count in the RSS'],
  };
}
