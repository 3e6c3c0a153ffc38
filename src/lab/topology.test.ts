import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.js';
import { startOrder } from './topology.js';

describe('startOrder', () => {
  it('puts every replica after the service it replicates from', () => {
    expect(
      startOrder({
        cascade: { kind: 'postgres', replicaOf: 'replica' },
        replica: { kind: 'postgres', replicaOf: 'primary' },
        primary: { kind: 'postgres' },
      }),
    ).toEqual(['primary', 'replica', 'cascade']);
  });

  it('rejects an unknown upstream, a cycle and an unsafe name', () => {
    expect(() => startOrder({ r: { kind: 'postgres', replicaOf: 'nope' } })).toThrow(InvalidInputError);
    expect(() =>
      startOrder({ a: { kind: 'postgres', replicaOf: 'b' }, b: { kind: 'postgres', replicaOf: 'a' } }),
    ).toThrow(/cycle/);
    expect(() => startOrder({ '../x': { kind: 'postgres' } })).toThrow(InvalidInputError);
  });

  it('rejects an empty service that replicates, and a replica of an empty service', () => {
    expect(() => startOrder({ p: { kind: 'postgres' }, e: { kind: 'postgres', empty: true, replicaOf: 'p' } })).toThrow(/lab.services.e.empty: an empty service cannot be a replica/);
    expect(() => startOrder({ e: { kind: 'postgres', empty: true }, r: { kind: 'postgres', replicaOf: 'e' } })).toThrow(/lab.services.r.replicaOf: "e" is empty at lab up/);
    expect(startOrder({ e: { kind: 'postgres', empty: true }, p: { kind: 'postgres' } })).toEqual(['e', 'p']);
  });
});
