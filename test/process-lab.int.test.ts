import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adoptProcessLab, startProcessLab } from '../src/lab/process/process-lab.js';
import type { Lab, LabService, LabState } from '../src/lab/types.js';

/** The process driver's services know their postmaster's children; the LabService interface does not promise that. */
const childPidsOf = (s: LabService): number[] => (s as unknown as { childPids(): number[] }).childPids();
import { eventually, isLive, livePidsMentioning, procState, query } from './support/pg-lab-helpers.js';

// Real PostgreSQL 15 from Debian's package; these tests fail (never skip) when it is missing.
process.env['LIFEBOAT_PG_BIN'] ??= '/usr/lib/postgresql/15/bin';

const T = 60_000;

async function hasRow(lab: Lab, service: string, id: string): Promise<boolean> {
  const rows = await query(lab.service(service).connection(), 'select 1 from marks where id = $1', [id], 2_000);
  return rows.length === 1;
}

describe('process lab: primary and streaming replica', () => {
  let lab: Lab;
  const states: LabState[] = [];
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    const t0 = Date.now();
    lab = await startProcessLab(
      { primary: { kind: 'postgres' }, replica: { kind: 'postgres', replicaOf: 'primary', settings: { work_mem: '8MB' } } },
      { onStateChange: (s) => states.push(s) },
    );
    timings['lab up'] = Date.now() - t0;
    await query(lab.service('primary').connection(), 'create table marks (id text primary key)');
  }, T);

  afterAll(async () => {
    console.info('process lab timings (ms):', timings);
    if (!lab) return;
    const root = lab.root;
    await lab.teardown();
    await lab.teardown(); // idempotent
    expect(livePidsMentioning(root)).toEqual([]);
    expect(existsSync(root)).toBe(false);
  }, T);

  it('starts both servers on their own ports and journals their state', async () => {
    const primary = lab.service('primary');
    const replica = lab.service('replica');
    expect(primary.isRunning() && replica.isRunning()).toBe(true);
    expect(primary.port).not.toBe(replica.port);
    const state = lab.state();
    expect(state.driver).toBe('process');
    expect(state.services['replica']).toMatchObject({ upstream: 'primary', pid: replica.pid, port: replica.port });
    expect(states.at(-1)).toEqual(state);
    const [setting] = await query<{ work_mem: string }>(replica.connection(), 'show work_mem');
    expect(setting?.work_mem).toBe('8MB');
    const [rec] = await query<{ r: boolean }>(replica.connection(), 'select pg_is_in_recovery() as r');
    expect(rec?.r).toBe(true);
  });

  it('replicates a row written on the primary to the replica', async () => {
    await query(lab.service('primary').connection(), "insert into marks values ('first')");
    await eventually(() => hasRow(lab, 'replica', 'first'), 5_000);
  }, T);

  it('stops the replica and starts it again on the same port', async () => {
    const replica = lab.service('replica');
    const port = replica.port;
    const oldPid = replica.pid!;
    await replica.stop();
    expect(replica.isRunning()).toBe(false);
    expect(isLive(oldPid)).toBe(false);
    await replica.start();
    expect(replica.port).toBe(port);
    expect(replica.pid).not.toBe(oldPid);
    await query(lab.service('primary').connection(), "insert into marks values ('after-restart')");
    await eventually(() => hasRow(lab, 'replica', 'after-restart'), 10_000);
  }, T);

  it('pause() makes a query with a 300 ms timeout fail and unpause() lets it succeed', async () => {
    const primary = lab.service('primary');
    await primary.pause();
    try {
      for (const pid of [primary.pid!, ...childPidsOf(primary)]) expect(procState(pid)).toBe('T');
      await expect(query(primary.connection(), 'select 1', [], 300)).rejects.toThrow();
    } finally {
      await primary.unpause();
    }
    await expect(query(primary.connection(), 'select 1 as one', [], 300)).resolves.toEqual([{ one: 1 }]);
  }, T);

  it('a stopped WAL sender holds rows back from the replica, and kill() leaves no process of the primary', async () => {
    const primary = lab.service('primary');
    const [sender] = await query<{ pid: number }>(
      primary.connection(),
      "select pid from pg_stat_replication where application_name = 'replica'",
    );
    expect(sender).toBeDefined();
    process.kill(sender!.pid, 'SIGSTOP');
    await query(primary.connection(), "insert into marks values ('held-back')");
    await sleep(500);
    expect(await hasRow(lab, 'replica', 'held-back')).toBe(false);

    const pids = [primary.pid!, ...childPidsOf(primary)];
    expect(pids).toContain(sender!.pid);
    const t0 = Date.now();
    await primary.kill();
    timings['kill primary'] = Date.now() - t0;
    expect(primary.isRunning()).toBe(false);
    expect(primary.pid).toBeUndefined();
    expect(pids.filter(isLive)).toEqual([]);
    expect(livePidsMentioning(`${lab.root}/primary/`)).toEqual([]);
    expect(lab.state().services['primary']?.pid).toBeUndefined();
  }, T);

  it('the promoted replica accepts writes and has lost the held-back row', async () => {
    const replica = lab.service('replica');
    const t0 = Date.now();
    await query(replica.connection(), 'select pg_promote(true, 30)');
    await query(replica.connection(), "insert into marks values ('on-new-primary')");
    timings['promote + first write'] = Date.now() - t0;
    expect(await hasRow(lab, 'replica', 'held-back')).toBe(false);
  }, T);

  it('rejoinAsReplicaOf brings the old primary back streaming from the new primary', async () => {
    const oldPrimary = lab.service('primary');
    const newPrimary = lab.service('replica');
    const t0 = Date.now();
    const { method } = await oldPrimary.rejoinAsReplicaOf(newPrimary);
    timings[`rejoin (${method})`] = Date.now() - t0;
    expect(method).toBe('rewind');
    expect(oldPrimary.isRunning()).toBe(true);
    expect(lab.state().services['primary']?.upstream).toBe('replica');
    expect(lab.state().services['replica']?.upstream).toBeUndefined();

    const streaming = await query(
      newPrimary.connection(),
      "select 1 from pg_stat_replication where application_name = 'primary' and state = 'streaming'",
    );
    expect(streaming).toHaveLength(1);
    const [rec] = await query<{ r: boolean }>(oldPrimary.connection(), 'select pg_is_in_recovery() as r');
    expect(rec?.r).toBe(true);
    // The divergent row the old primary never shipped was rewound away.
    expect(await hasRow(lab, 'primary', 'held-back')).toBe(false);
    expect(await hasRow(lab, 'primary', 'on-new-primary')).toBe(true);
    await query(newPrimary.connection(), "insert into marks values ('after-rejoin')");
    await eventually(() => hasRow(lab, 'primary', 'after-rejoin'), 5_000);
  }, T);

  it('falls back to pg_basebackup when pg_rewind cannot work on the data directory', async () => {
    const node = lab.service('primary');
    await node.kill();
    await rm(join(lab.state().services['primary']!.dataDir, 'global', 'pg_control'));
    const t0 = Date.now();
    const { method } = await node.rejoinAsReplicaOf(lab.service('replica'));
    timings[`rejoin (${method})`] = Date.now() - t0;
    expect(method).toBe('basebackup');
    await query(lab.service('replica').connection(), "insert into marks values ('after-basebackup')");
    await eventually(() => hasRow(lab, 'primary', 'after-basebackup'), 5_000);
  }, T);
});

describe('startProcessLab', () => {
  it('tears down what it started when aborted midway', async () => {
    const roots = new Set<string>();
    const controller = new AbortController();
    const starting = startProcessLab(
      { primary: { kind: 'postgres' }, replica: { kind: 'postgres', replicaOf: 'primary' } },
      {
        signal: controller.signal,
        onStateChange: (s) => {
          roots.add(s.root);
          // Abort once the replica is being created: initdb and the primary have run.
          if (s.services['replica'] && !controller.signal.aborted) controller.abort(new Error('drill aborted'));
        },
      },
    );
    await expect(starting).rejects.toThrow('drill aborted');
    expect(roots.size).toBe(1);
    const [root] = [...roots];
    expect(livePidsMentioning(root!)).toEqual([]);
    expect(existsSync(root!)).toBe(false);
  }, T);
});

describe('adoptProcessLab', () => {
  it('takes over the servers of a lab whose process was SIGKILLed and tears them down', async () => {
    const script = fileURLToPath(new URL('./support/lab-child.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`lab child exited with ${code}`)));
    });
    const state = JSON.parse(line) as LabState;
    child.kill('SIGKILL');
    await exited;

    const lab = adoptProcessLab(state);
    try {
      const primary = lab.service('primary');
      const replica = lab.service('replica');
      expect(primary.pid).toBe(state.services['primary']?.pid);
      expect(replica.isRunning()).toBe(true);
      await query(primary.connection(), 'create table t (x int)');

      // Not our child any more: kill() must signal by pid and poll for the exit.
      const pids = [replica.pid!, ...childPidsOf(replica)];
      await replica.kill();
      expect(pids.filter(isLive)).toEqual([]);
      await replica.start();
      await eventually(async () => (await query(replica.connection(), "select 1 from pg_class where relname = 't'")).length === 1);
    } finally {
      await lab.teardown();
    }
    expect(livePidsMentioning(state.root)).toEqual([]);
    expect(existsSync(state.root)).toBe(false);
  }, T);
});
