import { describe, expect, it } from 'vitest';
import { InfrastructureError } from '../../errors.js';
import { findPgBinaries } from './pg-binaries.js';

describe('findPgBinaries', () => {
  it('says what to install when LIFEBOAT_PG_BIN lacks the server programs', () => {
    const find = () => findPgBinaries({ LIFEBOAT_PG_BIN: '/nonexistent/bin' });
    expect(find).toThrow(InfrastructureError);
    expect(find).toThrow(/apt-get install -y postgresql.*LIFEBOAT_PG_BIN/);
  });

  it('uses LIFEBOAT_PG_BIN when it holds every program', () => {
    const dir = '/usr/lib/postgresql/15/bin';
    expect(findPgBinaries({ LIFEBOAT_PG_BIN: dir })).toMatchObject({ dir, pgRewind: `${dir}/pg_rewind` });
  });
});
