import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../errors.js';
import type { LocalSource } from '../policy-schema.js';
import { collect, testContext } from '../testing/collect.js';
import { localCopies } from './local-source.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lifeboat-local-source-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const T = Date.UTC(2026, 0, 15, 9, 0, 0);
const sha = (text: string) => createHash('sha256').update(text).digest('hex');
function file(rel: string, text: string, mtime: number): string {
  const path = join(dir, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  utimesSync(path, mtime / 1000, mtime / 1000);
  return path;
}
const local = (over: Partial<LocalSource>): LocalSource => ({ type: 'local', paths: ['backups'], medium: 'disk', ...over });

describe('local source', () => {
  it('counts a file given by path and each entry of a directory, created at their modification time', async () => {
    file('backups/a.dump', 'a', T);
    file('backups/base-1/PG_VERSION', '15', T + 1000);
    file('backups/.partial', 'x', T);
    file('single.dump', 's', T + 5000);
    const copies = await collect(localCopies(local({ paths: ['backups', 'single.dump'], location: 'site-b' }), testContext({ policyDir: dir, primaryLocation: 'site-a' })));
    expect(copies.map((c) => [c.id.split('/').slice(-2).join('/'), c.location, c.medium, c.immutable]).sort()).toEqual([
      ['backups/a.dump', 'site-b', 'disk', false],
      ['backups/base-1', 'site-b', 'disk', false],
      [`${dir.split('/').pop()}/single.dump`, 'site-b', 'disk', false],
    ]);
    expect(copies.find((c) => c.id.endsWith('a.dump'))!.createdAt).toBe(T);
  });

  it('puts copies at the primary location unless the source names one', async () => {
    file('backups/a.dump', 'a', T);
    const [copy] = await collect(localCopies(local({}), testContext({ policyDir: dir, primaryLocation: 'site-a' })));
    expect(copy!.location).toBe('site-a');
  });

  it('counts only files whose SHA-256 matches the checksum file', async () => {
    file('backups/good.dump', 'good', T);
    file('backups/bad.dump', 'corrupted', T);
    file('backups/unlisted.dump', 'u', T);
    writeFileSync(join(dir, 'SHA256SUMS'), `${sha('good')}  backups/good.dump\n${sha('bad')}  backups/bad.dump\n`);
    const ctx = testContext({ policyDir: dir });
    const copies = await collect(localCopies(local({ checksums: 'SHA256SUMS' }), ctx));
    expect(copies.map((c) => c.id.split('/').pop())).toEqual(['good.dump']);
    expect(ctx.notes.sort()).toEqual([
      `backups/bad.dump: SHA-256 ${sha('corrupted')} does not match ${sha('bad')} in SHA256SUMS: not counted`,
      'backups/unlisted.dump: not listed in SHA256SUMS: not counted',
    ]);
  });

  it('holds zero copies where a path does not exist, and says so', async () => {
    const ctx = testContext({ policyDir: dir });
    expect(await collect(localCopies(local({ paths: ['nowhere'] }), ctx))).toEqual([]);
    expect(ctx.notes).toEqual(['nowhere: does not exist (no copies there)']);
  });

  it('fails, naming the path, when a path cannot be read', async () => {
    file('plain-file', 'x', T);
    const err = await collect(localCopies(local({ paths: ['plain-file/inside'] }), testContext({ policyDir: dir }))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as Error).message).toBe(`local source: cannot read ${join(dir, 'plain-file/inside')}: not a directory`);
  });
});
