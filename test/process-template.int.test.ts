import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { processDataDirTemplate } from '../src/lab/process/data-dir-template.js';
import { findPgBinaries } from '../src/lab/process/pg-binaries.js';
import { startProcessLab } from '../src/lab/process/process-lab.js';
import { resolveRunAs } from '../src/lab/process/run-as.js';
import type { Lab } from '../src/lab/types.js';
import { query } from './support/pg-lab-helpers.js';

// Real PostgreSQL 15 from Debian's package; these tests fail (never skip) when it is missing.
process.env['LIFEBOAT_PG_BIN'] ??= '/usr/lib/postgresql/15/bin';
const REAL_BIN = process.env['LIFEBOAT_PG_BIN'];
const T = 90_000;

/** initdb gives every cluster a new system identifier: the first 8 bytes of global/pg_control. */
function identifierOf(dataDir: string): string {
  return readFileSync(join(dataDir, 'global', 'pg_control')).readBigUInt64LE(0).toString();
}

async function identifierServedBy(lab: Lab, service: string): Promise<string> {
  const [row] = await query<{ id: string }>(lab.service(service).connection(), 'select system_identifier::text as id from pg_control_system()');
  return row!.id;
}

function templatesIn(cacheDir: string): string[] {
  return readdirSync(join(cacheDir, 'templates')).sort();
}

describe('process lab: template data directory', () => {
  let cacheDir: string;
  const labs: Lab[] = [];
  const onTeardown: (() => void)[] = [];
  const start = async (bin = REAL_BIN): Promise<Lab> => {
    process.env['LIFEBOAT_PG_BIN'] = bin;
    const lab = await startProcessLab({ primary: { kind: 'postgres' }, replica: { kind: 'postgres', replicaOf: 'primary' } });
    labs.push(lab);
    return lab;
  };

  beforeAll(() => {
    cacheDir = mkdtempSync(join(tmpdir(), 'lifeboat-template-test-'));
    process.env['LIFEBOAT_CACHE_DIR'] = cacheDir;
  });
  afterEach(async () => {
    process.env['LIFEBOAT_PG_BIN'] = REAL_BIN;
    await Promise.all(labs.splice(0).map((l) => l.teardown()));
    onTeardown.splice(0).forEach((f) => f());
  }, T);
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('is made by the first lab and copied, not rebuilt, by the next', async () => {
    const template = await processDataDirTemplate(findPgBinaries(), resolveRunAs());
    expect(template.path.startsWith(join(cacheDir, 'templates', 'process-'))).toBe(true);
    const first = await start();
    const built = identifierOf(template.path);
    const madeAt = statSync(template.path).ino;
    // The first lab's primary is initdb's cluster the template was copied from.
    expect(await identifierServedBy(first, 'primary')).toBe(built);
    const second = await start();
    expect(await identifierServedBy(second, 'primary')).toBe(built);
    expect(await identifierServedBy(second, 'replica')).toBe(built);
    expect(statSync(template.path).ino).toBe(madeAt);
    expect(templatesIn(cacheDir)).toEqual([template.path.split('/').at(-1)]);
    // Each lab has a copy of its own, owned by the run-as user.
    const dataDir = second.service('primary').state().dataDir;
    expect(statSync(dataDir).uid).toBe(statSync(template.path).uid);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    await query(second.service('primary').connection(), 'create table only_in_second (x int)');
    expect(await query(first.service('primary').connection(), "select to_regclass('only_in_second') as t")).toEqual([{ t: null }]);
  }, T);

  it('is another template when its key changes (other binaries, other initdb arguments)', async () => {
    const runAs = resolveRunAs();
    await start(); // the template of the real binaries exists (made now or by the test before)
    const before = await processDataDirTemplate(findPgBinaries(), runAs);
    const otherArgs = await processDataDirTemplate(findPgBinaries(), runAs, { initdbArgs: ['-k', '--auth=trust', '-N', '-U', 'postgres', '--encoding=UTF8', '--locale=C.UTF-8'] });
    expect(otherArgs.path).not.toBe(before.path);
    // Binaries in another directory (a different install) get a template of their own.
    // (outside the cache directory, which only we may enter: the run-as user runs them)
    const otherBin = mkdtempSync(join(tmpdir(), 'lifeboat-other-bin-'));
    chmodSync(otherBin, 0o755);
    onTeardown.push(() => rmSync(otherBin, { recursive: true, force: true }));
    for (const p of ['postgres', 'initdb', 'pg_basebackup', 'pg_rewind']) symlinkSync(join(REAL_BIN, p), join(otherBin, p));
    const lab = await start(otherBin);
    const other = await processDataDirTemplate(findPgBinaries(), runAs);
    expect(other.path).not.toBe(before.path);
    expect(templatesIn(cacheDir)).toEqual([before.path, other.path].map((p) => p.split('/').at(-1)).sort());
    // Made by its own initdb: a cluster of its own.
    expect(identifierOf(other.path)).not.toBe(identifierOf(before.path));
    expect(await identifierServedBy(lab, 'primary')).toBe(identifierOf(other.path));
  }, T);

  it('comes out whole when two labs start at once with an empty cache', async () => {
    rmSync(join(cacheDir, 'templates'), { recursive: true, force: true });
    const [a, b] = await Promise.all([start(), start()]);
    const template = await processDataDirTemplate(findPgBinaries(), resolveRunAs());
    // One template, no temporary copy left behind, and it is the cluster of one of the two labs.
    expect(templatesIn(cacheDir)).toEqual([template.path.split('/').at(-1)]);
    const id = identifierOf(template.path);
    expect([await identifierServedBy(a!, 'primary'), await identifierServedBy(b!, 'primary')]).toContain(id);
    // A third lab starts from it and serves.
    const c = await start();
    expect(await identifierServedBy(c, 'primary')).toBe(id);
    expect(await identifierServedBy(c, 'replica')).toBe(id);
  }, T);

  it('is not used with LIFEBOAT_NO_TEMPLATE=1: initdb makes a new cluster', async () => {
    const template = await processDataDirTemplate(findPgBinaries(), resolveRunAs());
    process.env['LIFEBOAT_NO_TEMPLATE'] = '1';
    try {
      const lab = await start();
      expect(await identifierServedBy(lab, 'primary')).not.toBe(identifierOf(template.path));
    } finally {
      delete process.env['LIFEBOAT_NO_TEMPLATE'];
    }
  }, T);
});
