import { InfrastructureError, messageOf } from '../errors.js';

// Causes people can act on, in their words; the code stays in brackets for searching.
const CAUSES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ENOENT: 'no such file or directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'file name too long',
  EIO: 'input/output error',
  EEXIST: 'already exists',
  SQLITE_FULL: 'disk full',
  SQLITE_READONLY: 'the database is read-only',
  SQLITE_CANTOPEN: 'cannot open the database file',
  SQLITE_BUSY: 'the database is locked by another process',
  SQLITE_CORRUPT: 'the database file is corrupt',
  SQLITE_NOTADB: 'not an SQLite database',
  SQLITE_IOERR: 'input/output error',
  SQLITE_PERM: 'permission denied',
};

/** `permission denied (EACCES)`, `disk full (SQLITE_FULL)`, … or the error's own message. */
export function describeStorageCause(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return messageOf(err);
  // Extended SQLite codes (SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED, …) share their primary's words.
  const primary = code.startsWith('SQLITE_') ? code.split('_').slice(0, 2).join('_') : code;
  const words = CAUSES[code] ?? CAUSES[primary];
  return words ? `${words} (${code})` : `${messageOf(err)} (${code})`;
}

/**
 * The error every fault of the state directory (history, journal, locks, reports) becomes: what
 * was being done, to which path, and why it failed.
 */
export function storageFault(doing: string, path: string, err: unknown): InfrastructureError {
  return new InfrastructureError(`cannot ${doing} ${path}: ${describeStorageCause(err)}`, { cause: err });
}
