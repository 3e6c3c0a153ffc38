import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, opendir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { ProviderError } from '../../errors.js';
import type { Copy, CopyStream, SourceContext } from '../copy.js';
import type { LocalSource } from '../policy-schema.js';

const NOT_IMMUTABLE = 'a local file can be changed or deleted by whoever owns it';

/** A path as people read it: relative to the working directory when inside it. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

function unreadable(what: string, err: unknown): ProviderError {
  const e = err as NodeJS.ErrnoException;
  const why = e.code === 'EACCES' ? 'permission denied' : e.code === 'ENOTDIR' ? 'not a directory' : (e.message ?? String(err));
  return new ProviderError(`local source: cannot read ${what}: ${why}`, { cause: err, retryable: false });
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Reads a sha256sum file: absolute path → expected hex digest. */
async function readChecksums(file: string): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw unreadable(`the checksum file ${file}`, err);
  }
  const sums = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line.trim());
    if (m) sums.set(resolve(dirname(file), m[2]!), m[1]!.toLowerCase());
  }
  return sums;
}

/**
 * Copies on a file system: each path that is a file is one copy, each entry directly inside a
 * directory is one copy (a dump file, or a base backup directory). Created = modification time.
 * With `checksums`, a file counts only if its SHA-256 matches its line (a directory entry cannot
 * be verified that way and does not count). A path that does not exist holds no copy (noted); one
 * that cannot be read fails the source.
 */
export async function* localCopies(source: LocalSource, ctx: SourceContext): CopyStream {
  const location = source.location ?? ctx.primaryLocation;
  const sums = source.checksums ? await readChecksums(resolve(ctx.policyDir, source.checksums)) : undefined;
  const copy = async (path: string, isFile: boolean, mtimeMs: number): Promise<Copy | undefined> => {
    if (sums) {
      const expected = sums.get(path);
      const label = relative(ctx.policyDir, path) || path;
      if (!isFile || expected === undefined) {
        ctx.note(`${label}: not listed in ${source.checksums}: not counted`);
        return undefined;
      }
      let actual: string;
      try {
        actual = await sha256(path);
      } catch (err) {
        throw unreadable(path, err);
      }
      if (actual !== expected) {
        ctx.note(`${label}: SHA-256 ${actual} does not match ${expected} in ${source.checksums}: not counted`);
        return undefined;
      }
    }
    return { id: displayPath(path), medium: source.medium, location, immutable: false, immutability: NOT_IMMUTABLE, createdAt: mtimeMs };
  };
  for (const given of source.paths) {
    const path = resolve(ctx.policyDir, given);
    let st;
    try {
      st = await stat(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        ctx.note(`${given}: does not exist (no copies there)`);
        continue;
      }
      throw unreadable(path, err);
    }
    if (!st.isDirectory()) {
      const c = await copy(path, st.isFile(), st.mtimeMs);
      if (c) yield c;
      continue;
    }
    let dir;
    try {
      dir = await opendir(path);
    } catch (err) {
      throw unreadable(path, err);
    }
    try {
      for await (const entry of dir) {
        if (entry.name.startsWith('.') || (sums && join(path, entry.name) === resolve(ctx.policyDir, source.checksums!))) continue;
        const full = join(path, entry.name);
        let est;
        try {
          est = await lstat(full);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed while listing
          throw unreadable(full, err);
        }
        if (!est.isFile() && !est.isDirectory()) continue;
        const c = await copy(full, est.isFile(), est.mtimeMs);
        if (c) yield c;
      }
    } catch (err) {
      if (err instanceof ProviderError) throw err;
      throw unreadable(path, err);
    }
  }
}

/** For `explain`: what the source looks at. */
export function describeLocal(source: LocalSource): string {
  const sums = source.checksums ? `, verified against ${basename(source.checksums)}` : '';
  return `local: ${source.paths.join(', ')} (${source.medium}${source.location ? ` at ${source.location}` : ', primary location'}${sums})`;
}
