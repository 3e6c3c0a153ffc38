import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defaultRegistry } from '../cli/default-registry.js';
import { InvalidRunbookError } from '../errors.js';
import { createRegistry } from '../providers/registry.js';
import type { Provider } from '../providers/types.js';
import { parseRunbook } from './load.js';

// A provider of another kind of PostgreSQL endpoint (as an RDS instance or a container would be):
// it declares how to connect and needs no edit anywhere else for the postgres.* steps and probes.
const containerProvider: Provider = {
  name: 'container',
  resourceTypes: [
    { type: 'container.pg', description: 'a container', fields: z.object({ port: z.int() }), postgres: (ref) => [{ host: '127.0.0.1', port: Number(ref.spec.port) }] },
    { type: 'container.web', description: 'not a database', fields: z.object({}) },
  ],
  actions: [],
  probes: [],
};

const problems = (text: string, registry = createRegistry([...defaultRegistry().providers, containerProvider], defaultRegistry().labDrivers)): string[] => {
  try {
    parseRunbook(text, 'rb.yaml', registry);
    return [];
  } catch (err) {
    if (!(err instanceof InvalidRunbookError)) throw err;
    return err.problems.map((p) => `${p.path}: ${p.message}`);
  }
};

const doc = (lines: string[]) =>
  ['apiVersion: lifeboat/v1', 'kind: Runbook', 'name: caps', 'objectives: { rto: 10s, rpo: 1s }', ...lines].join('\n');

describe('capabilities, not type names', () => {
  it('lets any resource type that declares how to connect serve the postgres actions and probes', () => {
    const text = doc([
      'resources:',
      '  db: { type: container.pg, port: 5432 }',
      'probes:',
      '  w: { type: postgres.writes, endpoints: [db] }',
      'recovery: { all: [w] }',
      'failover:',
      '  - { id: p, action: postgres.promote, target: db }',
    ]);
    expect(problems(text)).toEqual([]);
  });

  it('refuses a resource without that capability, naming the types that have it', () => {
    const text = doc([
      'resources:',
      '  web: { type: container.web }',
      '  db: { type: container.pg, port: 5432 }',
      'probes:',
      '  w: { type: postgres.writes, endpoints: [web] }',
      'recovery: { all: [w] }',
    ]);
    expect(problems(text)).toEqual(['probes.w.endpoints[0]: resource "web" is of type container.web; expected lab.postgres or postgres or aws.rds.instance or aws.rds.cluster or container.pg']);
  });

  it('asks for a probe that measures writes, whatever its type, for an RPO objective', () => {
    const text = doc(['resources:', '  db: { type: container.pg, port: 5432 }', 'probes:', '  q: { type: postgres.query, endpoints: [db] }', 'recovery: { all: [q] }']);
    expect(problems(text)).toEqual(['objectives.rpo: an RPO objective needs a probe of type postgres.writes or aws.s3.writes to measure data loss']);
  });

  it('refuses at validation a hold-wal under a lab driver whose services cannot hold WAL', () => {
    const lab = ['lab:', '  services:', '    primary: { kind: postgres }', '    replica: { kind: postgres, replicaOf: primary }'];
    const rest = [
      'resources:',
      '  primary: { type: lab.postgres, service: primary }',
      'probes:',
      '  w: { type: postgres.writes, endpoints: [primary] }',
      'recovery: { all: [w] }',
      'fault:',
      '  - { id: hold, action: postgres.hold-wal, target: primary }',
    ];
    const able = createRegistry(defaultRegistry().providers, defaultRegistry().labDrivers);
    expect(problems(doc([...lab, ...rest]), able)).toEqual([]);
    const unable = createRegistry(defaultRegistry().providers, [{ ...defaultRegistry().labDrivers[0]!, capabilities: [] }]);
    expect(problems(doc([...lab, ...rest]), unable)).toEqual([
      'fault[0].action: action postgres.hold-wal needs lab services that can hold-wal; the process driver cannot (drivers that can: none)',
    ]);
  });

  it('reports a lab driver the registry does not have', () => {
    const text = doc(['lab:', '  driver: docker', '  services:', '    primary: { kind: postgres }', 'resources: {}', 'probes:', '  w: { type: postgres.writes, endpoints: [] }']);
    const processOnly = createRegistry(defaultRegistry().providers, defaultRegistry().labDrivers.filter((d) => d.name === 'process'));
    expect(problems(text, processOnly).filter((p) => p.startsWith('lab.driver'))).toEqual(['lab.driver: lab driver "docker" is not available (available: process)']);
  });
});

describe('container-only features', () => {
  const lab = (driver: string, extra = '') => [`lab:`, `  driver: ${driver}`, extra, '  services:', '    primary: { kind: postgres }', '    replica: { kind: postgres, replicaOf: primary }'].filter(Boolean);
  const rest = ['resources:', '  primary: { type: lab.postgres, service: primary }', 'probes:', '  w: { type: postgres.writes, endpoints: [primary] }', 'recovery: { all: [w] }', 'fault:', '  - { id: cut, action: lab.disconnect, target: primary, network: replication }'];

  it('accepts lab.disconnect and lab.image under the docker driver', () => {
    expect(problems(doc([...lab('docker', '  image: my/pg:15'), ...rest]))).toEqual([]);
  });

  it('rejects lab.disconnect and lab.image under the process driver', () => {
    expect(problems(doc([...lab('process', '  image: my/pg:15'), ...rest]))).toEqual([
      'lab.image: lab.image is for container drivers (driver: docker); the process driver runs this machine\'s PostgreSQL binaries',
      'fault[0].action: action lab.disconnect needs lab services that can disconnect; the process driver cannot (drivers that can: docker)',
    ]);
  });
});
