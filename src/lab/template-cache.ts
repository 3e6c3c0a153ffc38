import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/**
 * The cache of template data directories that both lab drivers share: a fresh primary's data
 * directory (initdb's output) kept once per server version and initdb settings, so that later labs
 * copy it instead of running initdb. Best effort everywhere: a cache that cannot be read or
 * written only means initdb runs.
 */

/** Whether labs may use (and make) template data directories: `LIFEBOAT_NO_TEMPLATE=1` turns them off. */
export function templatesEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['LIFEBOAT_NO_TEMPLATE'] !== '1';
}

/** Where templates are kept: `$LIFEBOAT_CACHE_DIR/templates`, else `~/.cache/lifeboat/templates`. */
export function templateCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env['LIFEBOAT_CACHE_DIR'] ?? join(homedir(), '.cache', 'lifeboat'), 'templates');
}

/** A short digest of everything a template depends on (server version, initdb arguments, owner…). */
export function templateKey(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

/**
 * Publishes `final` (a file or a directory) atomically: `build` writes a temporary path next to it
 * that is then renamed into place, so a reader sees either nothing or a complete template. When
 * another lab published the same template meanwhile, theirs is kept and ours dropped (both are
 * equivalent). Returns whether ours was published.
 */
export async function publishAtomically(final: string, build: (tmp: string) => Promise<void>): Promise<boolean> {
  await mkdir(dirname(final), { recursive: true, mode: 0o700 });
  const tmp = join(dirname(final), `.${basename(final)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await build(tmp);
    await rename(tmp, final);
    return true;
  } catch (err) {
    // A directory renamed onto another builder's (non-empty) one: theirs won.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
    throw err;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
