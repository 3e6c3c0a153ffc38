import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.js';
import { pgConfigCount, pgConfigsFor } from '../providers/postgres/connect.js';
import { postgresProvider } from '../providers/postgres/postgres-provider.js';
import type { ProviderContext } from '../providers/types.js';
import { liveResource, usesStepOutputs } from './live-resource.js';

describe('a resource that uses a step output', () => {
  const spec = { type: 'postgres', dsn: 'postgres://app:${env:PW}@${steps.restore.endpoint}/orders' };
  const outputs: Record<string, unknown> = {};
  const ref = liveResource('restored', spec, () => ({ env: { PW: 'pw' }, outputs }));
  const ctx = { resourceType: (t: string) => postgresProvider.resourceTypes.find((r) => r.type === t) } as unknown as ProviderContext;

  it('is recognised', () => {
    expect(usesStepOutputs(spec)).toBe(true);
    expect(usesStepOutputs({ type: 'postgres', dsn: 'postgres://app:${env:PW}@db/orders' })).toBe(false);
  });

  it('cannot be resolved before the step completed: a probe counts one host whose connections fail', () => {
    expect(() => ref.spec).toThrow(InvalidInputError);
    expect(() => ref.spec).toThrow('resource restored: step "restore" has no output yet');
    expect(pgConfigCount(ctx, ref)).toBe(1);
  });

  it('follows the output as soon as it exists, and on every read', () => {
    outputs.restore = { endpoint: 'db-restored.internal:5432' };
    expect(ref.spec).toEqual({ dsn: 'postgres://app:pw@db-restored.internal:5432/orders' });
    expect(pgConfigsFor(ctx, ref)[0]!.connectionString).toBe('postgres://app:pw@db-restored.internal:5432/orders');
    outputs.restore = { endpoint: 'other:6432' };
    expect(pgConfigsFor(ctx, ref)[0]!.connectionString).toBe('postgres://app:pw@other:6432/orders');
  });
});
