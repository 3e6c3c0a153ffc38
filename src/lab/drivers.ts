import type { LabDriverEntry } from './types.js';

export type { LabDriverEntry } from './types.js';

/** The built-in lab drivers. */
export const builtInLabDrivers: readonly LabDriverEntry[] = [
  {
    name: 'process',
    description: 'PostgreSQL servers as local processes (binaries from LIFEBOAT_PG_BIN or /usr/lib/postgresql/*/bin).',
    capabilities: ['hold-wal', 'restore'],
    load: async () => (await import('./process/process-lab.js')).processDriver,
  },
  {
    name: 'docker',
    description: 'PostgreSQL servers as Docker containers (testcontainers) of lab.image, on a client and a replication network.',
    capabilities: ['hold-wal', 'disconnect'],
    load: async () => (await import('./docker/docker-lab.js')).dockerDriver,
  },
];
