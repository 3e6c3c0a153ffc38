import { startProcessLab } from '../../src/lab/index.js';
import { query } from './pg-lab-helpers.js';
const t0 = Date.now();
const lab = await startProcessLab({ p: { kind: 'postgres' }, r: { kind: 'postgres', replicaOf: 'p' }, c: { kind: 'postgres', replicaOf: 'r' } });
try {
  console.log('cascade up', Date.now() - t0, JSON.stringify(lab.state().services));
  await query(lab.service('p').connection(), 'create table m(x int); insert into m values (1)');
  await new Promise((r) => setTimeout(r, 300));
  console.log(await query(lab.service('c').connection(), 'select * from m'));
  // clean switchover: stop p, promote r, rejoin p
  await lab.service('p').stop();
  await query(lab.service('r').connection(), 'select pg_promote(true, 30)');
  const t = Date.now();
  console.log(await lab.service('p').rejoinAsReplicaOf(lab.service('r')), Date.now() - t);
} finally { await lab.teardown(); }
