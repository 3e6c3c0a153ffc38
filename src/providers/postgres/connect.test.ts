import { describe, expect, it } from 'vitest';
import { fakeContext } from '../../engine/testing/fake-provider.js';
import type { ProviderContext } from '../types.js';
import { pgConfigsFor } from './connect.js';
import { postgresProvider } from './postgres-provider.js';

const ctx: ProviderContext = { ...fakeContext(), resourceType: (t) => postgresProvider.resourceTypes.find((r) => r.type === t) };

describe('pgConfigsFor', () => {
  it('gives one config per host of a host list, with the shared credentials', () => {
    const cfgs = pgConfigsFor(ctx, { name: 'db', type: 'postgres', spec: { hosts: ['a:5433', 'b'], user: 'u', password: 'p', database: 'd' } });
    expect(cfgs).toEqual([
      expect.objectContaining({ host: 'a', port: 5433, user: 'u', password: 'p', database: 'd' }),
      expect.objectContaining({ host: 'b', port: 5432 }),
    ]);
  });

  it('passes a DSN through as a connection string', () => {
    const [cfg] = pgConfigsFor(ctx, { name: 'db', type: 'postgres', spec: { dsn: 'postgres://u:p@h:1/d' } });
    expect(cfg!.connectionString).toBe('postgres://u:p@h:1/d');
  });
});

describe('pgConfigsFor and capabilities', () => {
  it('refuses a resource whose type has no postgres capability', () => {
    expect(() => pgConfigsFor(ctx, { name: 'web', type: 'http', spec: {} })).toThrow(/not a PostgreSQL resource/);
  });
});
