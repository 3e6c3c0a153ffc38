import { afterEach, describe, expect, it } from 'vitest';
import { dockerDriver } from '../src/lab/docker/docker-lab.js';
import type { Lab } from '../src/lab/types.js';
import { eventually, query } from './support/pg-lab-helpers.js';

const SERVICES = { primary: { kind: 'postgres' as const }, replica: { kind: 'postgres' as const, replicaOf: 'primary' } };
const T = 120_000;

async function identifier(lab: Lab, service: string): Promise<string> {
  const [row] = await query<{ id: string }>(lab.service(service).connection(), 'select system_identifier::text as id from pg_control_system()');
  return row!.id;
}

async function imageOf(lab: Lab, service: string): Promise<string> {
  const { connectEngine } = await import('../src/lab/docker/docker-engine.js');
  const engine = await connectEngine();
  const info = await engine.dockerode.getContainer(lab.state().services[service]!.containerId!).inspect();
  return info.Config.Image;
}

/** Writes a row on the primary and waits until the replica has it: the pair really replicates. */
async function replicates(lab: Lab): Promise<void> {
  const mark = `m${Date.now()}`;
  await query(lab.service('primary').connection(), 'create table if not exists t (x text)');
  await query(lab.service('primary').connection(), 'insert into t values ($1)', [mark]);
  await eventually(async () => (await query(lab.service('replica').connection(), 'select 1 from t where x = $1', [mark]).catch(() => [])).length === 1);
}

describe('Docker lab: template image', () => {
  const labs: Lab[] = [];
  afterEach(async () => {
    delete process.env['LIFEBOAT_NO_TEMPLATE'];
    await Promise.all(labs.splice(0).map((l) => l.teardown()));
  }, T);

  it('creates both containers from the template image: the primary is its cluster, the replica a standby of it that streams', async () => {
    // The first lab makes the template if there is none yet; the second surely starts from it.
    labs.push(await dockerDriver.start(SERVICES, {}));
    const lab = await dockerDriver.start(SERVICES, {});
    labs.push(lab);
    expect(await imageOf(lab, 'primary')).toMatch(/^lifeboat\/lab-template:/);
    expect(await imageOf(lab, 'replica')).toBe(await imageOf(lab, 'primary'));
    // Both labs' clusters are the template's one (initdb would make a new identifier each time).
    expect(await identifier(lab, 'primary')).toBe(await identifier(labs[0]!, 'primary'));
    expect(await identifier(lab, 'replica')).toBe(await identifier(lab, 'primary'));
    const [r] = await query<{ r: boolean }>(lab.service('replica').connection(), 'select pg_is_in_recovery() as r');
    expect(r!.r).toBe(true);
    await replicates(lab);
  }, T);

  it('runs initdb and pg_basebackup on the lab image with LIFEBOAT_NO_TEMPLATE=1', async () => {
    process.env['LIFEBOAT_NO_TEMPLATE'] = '1';
    const lab = await dockerDriver.start(SERVICES, {});
    labs.push(lab);
    expect(await imageOf(lab, 'primary')).toBe('lifeboat/postgres-lab:15');
    const fresh = await identifier(lab, 'primary');
    expect(await identifier(lab, 'replica')).toBe(fresh);
    await replicates(lab);
  }, T);
});
