import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * `mkdir -p` with a mode for every directory it creates, failing with the real cause. Node's
 * recursive mkdir reports ENOENT for a read-only file system and EEXIST for a regular file in
 * the way; this reports EROFS (or EACCES, ...) and ENOTDIR, so the message says what to fix.
 */
export function makeDirs(path: string, mode = 0o700): void {
  try {
    mkdirSync(path, { recursive: true, mode });
  } catch (err) {
    throw realCause(path, mode, err as NodeJS.ErrnoException);
  }
  // mkdirSync does not complain when the path exists as a regular file and nothing had to be created.
  if (!statSync(path).isDirectory()) throw errnoError('ENOTDIR', 'not a directory', path);
}

function realCause(path: string, mode: number, err: NodeJS.ErrnoException): Error {
  if (err.code !== 'ENOENT' && err.code !== 'EEXIST') return err;
  // Find the deepest existing ancestor and create its next component alone: that call's error is the real one.
  let existing = path;
  const missing: string[] = [];
  for (;;) {
    let isDir: boolean;
    try {
      isDir = statSync(existing).isDirectory();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return e as Error;
      missing.unshift(existing);
      const up = dirname(existing);
      if (up === existing) return err;
      existing = up;
      continue;
    }
    if (!isDir) return errnoError('ENOTDIR', 'not a directory', existing);
    break;
  }
  for (const dir of missing) {
    try {
      mkdirSync(dir, { mode });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return e as Error;
    }
  }
  return err;
}

function errnoError(code: string, words: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${words}, mkdir '${path}'`), { code, path, syscall: 'mkdir' });
}
