import { describe, expect, it } from 'vitest';
import { libpqConnection, pgToolPath } from './pg-client-tools.js';

describe('libpqConnection', () => {
  it('moves a DSN password into PGPASSWORD and keeps it off the command line', () => {
    const c = libpqConnection({ connectionString: 'postgres://app:s3cr%40t-pw@db.example:6432/orders?sslmode=require' });
    expect(c.env).toEqual({ PGPASSWORD: 's3cr@t-pw' });
    expect(c.dbnameArg).toBe('postgres://app@db.example:6432/orders?sslmode=require');
    expect(c.dbnameArg).not.toContain('s3cr');
  });

  it('passes host settings as PG* variables', () => {
    expect(libpqConnection({ host: '127.0.0.1', port: 5433, user: 'postgres', database: 'postgres', password: 'pw-secret', ssl: true })).toEqual({
      env: { PGHOST: '127.0.0.1', PGPORT: '5433', PGUSER: 'postgres', PGDATABASE: 'postgres', PGPASSWORD: 'pw-secret', PGSSLMODE: 'require' },
    });
  });
});

describe('pgToolPath', () => {
  it('takes LIFEBOAT_PG_BIN first, else the newest Debian install that has the program', () => {
    expect(pgToolPath('pg_dump', { LIFEBOAT_PG_BIN: '/opt/pg/bin' })).toBe('/opt/pg/bin/pg_dump');
    expect(pgToolPath('pg_restore', {})).toMatch(/^\/usr\/lib\/postgresql\/\d+\/bin\/pg_restore$/);
  });
});
