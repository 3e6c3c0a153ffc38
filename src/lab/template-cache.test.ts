import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { publishAtomically, templateCacheDir, templateKey, templatesEnabled } from './template-cache.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'lifeboat-template-cache-'));
  dirs.push(d);
  return d;
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('template cache', () => {
  it('lives under LIFEBOAT_CACHE_DIR, else ~/.cache/lifeboat, and LIFEBOAT_NO_TEMPLATE=1 turns it off', () => {
    expect(templateCacheDir({ LIFEBOAT_CACHE_DIR: '/var/cache/x' })).toBe('/var/cache/x/templates');
    expect(templateCacheDir({})).toMatch(/\/\.cache\/lifeboat\/templates$/);
    expect(templatesEnabled({})).toBe(true);
    expect(templatesEnabled({ LIFEBOAT_NO_TEMPLATE: '1' })).toBe(false);
  });

  it('keys a template by everything it depends on', () => {
    const key = { version: 'postgres (PostgreSQL) 15.14', initdbArgs: ['-k'] };
    expect(templateKey(key)).toBe(templateKey({ ...key }));
    expect(templateKey({ ...key, version: 'postgres (PostgreSQL) 15.15' })).not.toBe(templateKey(key));
    expect(templateKey({ ...key, initdbArgs: ['-k', '--locale=C'] })).not.toBe(templateKey(key));
  });

  it('lets exactly one of several concurrent builders publish a directory, whole, and leaves no temporary files', async () => {
    const root = tempDir();
    const final = join(root, 'templates', 'process-x');
    const builders = Array.from({ length: 6 }, (_, i) =>
      publishAtomically(final, async (tmp) => {
        await mkdir(join(tmp, 'global'), { recursive: true });
        // Files written in several steps, with pauses, so that the builders interleave.
        for (let f = 0; f < 20; f++) {
          await writeFile(join(tmp, 'global', `f${f}`), `builder ${i}`);
          await new Promise((r) => setTimeout(r, Math.random() * 3));
        }
      }),
    );
    const published = await Promise.all(builders);
    expect(published.filter(Boolean)).toHaveLength(1);
    const winner = `builder ${published.indexOf(true)}`;
    const files = readdirSync(join(final, 'global'));
    expect(files).toHaveLength(20);
    for (const f of files) expect(readFileSync(join(final, 'global', f), 'utf8')).toBe(winner);
    expect(readdirSync(join(root, 'templates'))).toEqual(['process-x']);
  });

  it('removes its temporary copy when the build fails, and publishes nothing', async () => {
    const root = tempDir();
    const final = join(root, 'templates', 'a.tar');
    await expect(
      publishAtomically(final, async (tmp) => {
        await writeFile(tmp, 'half');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(readdirSync(join(root, 'templates'))).toEqual([]);
  });
});
