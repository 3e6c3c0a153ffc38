import { chmod, mkdtemp, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reportRenderers } from '../report/renderers.js';
import { sampleRunResult } from '../report/testing/sample-run-result.js';
import { writeReports } from './write-reports.js';

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe('writeReports', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'lifeboat-reports-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes every renderer file into each directory and returns their paths in order', async () => {
    const result = sampleRunResult();
    const a = join(root, 'runs', result.runId);
    const b = join(root, 'out');
    const written = await writeReports(result, [a, b]);
    const files = ['report.json', 'report.md', 'report.html', 'report.junit.xml', 'report.prom'];
    expect(written).toEqual([...files.map((f) => join(a, f)), ...files.map((f) => join(b, f))]);
    for (const dir of [a, b]) {
      expect((await readdir(dir)).sort()).toEqual([...files].sort());
      for (const r of reportRenderers) expect(await readFile(join(dir, r.fileName), 'utf8')).toBe(r.render(result));
    }
  });

  it('creates missing directories, parents included, readable by the owner only (0700)', async () => {
    const dir = join(root, 'state', 'runs', 'r1');
    await writeReports(sampleRunResult(), [dir]);
    expect(await modeOf(join(root, 'state'))).toBe(0o700);
    expect(await modeOf(join(root, 'state', 'runs'))).toBe(0o700);
    expect(await modeOf(dir)).toBe(0o700);
  });

  it('writes report files readable by the owner only (0600)', async () => {
    const written = await writeReports(sampleRunResult(), [join(root, 'r1')]);
    expect(written).toHaveLength(reportRenderers.length);
    for (const path of written) expect(await modeOf(path)).toBe(0o600);
  });

  it('replaces a world-readable report left in an existing directory and tightens its mode', async () => {
    const dir = join(root, 'out');
    await mkdir(dir);
    await chmod(dir, 0o755);
    await writeFile(join(dir, 'report.json'), 'old');
    await chmod(join(dir, 'report.json'), 0o644);
    const result = sampleRunResult();
    await writeReports(result, [dir]);
    expect(await modeOf(join(dir, 'report.json'))).toBe(0o600);
    expect(JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'))).toEqual(result);
    // A directory the user chose and that already existed keeps its mode.
    expect(await modeOf(dir)).toBe(0o755);
  });

  it('gives every renderer the context: the Prometheus file carries the last success it was told', async () => {
    const dir = join(root, 'out');
    const lastSuccessAt = Date.UTC(2026, 5, 1);
    await writeReports(sampleRunResult(), [dir], undefined, { lastSuccessAt });
    expect(await readFile(join(dir, 'report.prom'), 'utf8')).toMatch(new RegExp(`^lifeboat_last_success_timestamp_seconds\\{runbook="pg-failover",mode="drill"\\} ${lastSuccessAt / 1000}$`, 'm'));
    await writeReports(sampleRunResult(), [dir]);
    expect(await readFile(join(dir, 'report.prom'), 'utf8')).not.toContain('lifeboat_last_success_timestamp_seconds');
  });

  it('writes nothing and returns no path for no directory', async () => {
    expect(await writeReports(sampleRunResult(), [])).toEqual([]);
    expect(await readdir(root)).toEqual([]);
  });
});
