import { describe, expect, it, vi } from 'vitest';
import { InfrastructureError } from '../../errors.js';

// No engine: testcontainers finds no working container runtime.
vi.mock('testcontainers', () => ({
  getContainerRuntimeClient: async () => {
    throw new Error('Could not find a working container runtime strategy');
  },
}));

describe('connectEngine', () => {
  it('says how to start a Docker engine when none answers (exit 3 at the CLI)', async () => {
    const { connectEngine } = await import('./docker-engine.js');
    const err = await connectEngine().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InfrastructureError);
    expect((err as Error).message).toBe(
      'no Docker engine answers: Could not find a working container runtime strategy; start a Docker engine (e.g. `dockerd &`, or `systemctl start docker`) and check `docker info`',
    );
  });
});
