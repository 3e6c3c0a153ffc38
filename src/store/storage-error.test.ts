import { describe, expect, it } from 'vitest';
import { InfrastructureError } from '../errors.js';
import { describeStorageCause, storageFault } from './storage-error.js';

function failure(message: string, code?: string): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

describe('storage faults', () => {
  it.each([
    [failure('ENOSPC: no space left on device, open', 'ENOSPC'), 'no space left on device (ENOSPC)'],
    [failure('database or disk is full', 'SQLITE_FULL'), 'disk full (SQLITE_FULL)'],
    [failure('disk I/O error', 'SQLITE_IOERR_WRITE'), 'input/output error (SQLITE_IOERR_WRITE)'],
    [failure('attempt to write a readonly database', 'SQLITE_READONLY'), 'the database is read-only (SQLITE_READONLY)'],
    [failure('something new', 'SQLITE_SOMETHING'), 'something new (SQLITE_SOMETHING)'],
    [failure('no code at all'), 'no code at all'],
  ])('describes %s as "%s"', (err, words) => {
    expect(describeStorageCause(err)).toBe(words);
  });

  it('names what was being done, the path and the cause, and keeps the cause', () => {
    const cause = failure('database or disk is full', 'SQLITE_FULL');
    const err = storageFault('write the run history', '/var/lib/lifeboat/history.db', cause);
    expect(err).toBeInstanceOf(InfrastructureError);
    expect(err.message).toBe('cannot write the run history /var/lib/lifeboat/history.db: disk full (SQLITE_FULL)');
    expect(err.cause).toBe(cause);
  });
});
