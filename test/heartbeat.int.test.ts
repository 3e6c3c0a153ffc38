import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heartbeatLogPath } from '../src/engine/heartbeat.js';
import { startProcessLab } from '../src/lab/process/process-lab.js';
import type { Lab } from '../src/lab/types.js';
import { heartbeatLoss } from '../src/verify/heartbeat-loss.js';
import { eventually, query } from './support/pg-lab-helpers.js';
import { reportOf, runCli, startCli, tempStateDir } from './support/run-cli.js';

process.env['LIFEBOAT_PG_BIN'] ??= '/usr/lib/postgresql/15/bin';

const T = 120_000;
const PASSWORD = 'Heartbeat-Pw-41d0aa';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

interface Beat {
  seq: number;
  ackedAt: number;
}
const beatsIn = (path: string): Beat[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Beat);

describe('lifeboat heartbeat, then a real failover that lost data: RPO from the beats', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startProcessLab({ primary: { kind: 'postgres' }, replica: { kind: 'postgres', replicaOf: 'primary' } });
  }, T);
  afterAll(async () => {
    await lab?.teardown();
  }, T);

  it('measures the beats acknowledged by the old primary and missing on the new one', async () => {
    const state = tempStateDir();
    const primary = lab.service('primary');
    const replica = lab.service('replica');
    const env = { PGPASS: PASSWORD, PRIMARY_PORT: String(primary.port), REPLICA_PORT: String(replica.port) };
    const file = join(state, 'rb.yaml');
    writeFileSync(
      file,
      `apiVersion: lifeboat/v1
kind: Runbook
name: hb-incident
objectives: { rto: 60s, rpo: 30s }
resources:
  primary: { type: postgres, dsn: "postgres://postgres:\${env:PGPASS}@127.0.0.1:\${env:PRIMARY_PORT}/postgres" }
  replica: { type: postgres, dsn: "postgres://postgres:\${env:PGPASS}@127.0.0.1:\${env:REPLICA_PORT}/postgres" }
  # Whichever host accepts the beat: the primary, and after the failover the promoted replica.
  orders-db: { type: postgres, hosts: ["127.0.0.1:${primary.port}", "127.0.0.1:${replica.port}"], user: postgres, password: "\${env:PGPASS}", database: postgres }
heartbeat: { target: orders-db, interval: 100ms }
probes:
  ready: { type: postgres.query, endpoints: [replica], sql: select 1, writable: true, interval: 50ms }
recovery: { all: [ready], stableFor: 300ms }
failover:
  - { id: promote, action: postgres.promote, target: replica, timeout: 30s }
`,
    );
    const log = heartbeatLogPath(state, 'hb-incident', 'orders-db');
    const hb = startCli(['--state-dir', state, 'heartbeat', file], env);
    try {
      await eventually(async () => {
        if (hb.child.exitCode !== null) throw new Error(`heartbeat exited ${hb.child.exitCode}: ${hb.stderr()}`);
        return beatsIn(log).length >= 5;
      }, 30_000);
      // WAL stops reaching the replica: beats acknowledged from now on are lost in the failover.
      const held = await primary.holdWal!(AbortSignal.timeout(10_000));
      expect(held.walSenderPids.length).toBeGreaterThan(0);
      const heldAt = Date.now();
      const before = beatsIn(log).length;
      await eventually(async () => beatsIn(log).length >= before + 6, 30_000);
      await primary.kill('SIGKILL');
      const killedAt = Date.now();
      await sleep(300);

      const r = await runCli(['--state-dir', state, 'failover', file, '--yes', '--json'], env);
      expect(r.code, r.stderr).toBe(0);
      const result = JSON.parse(r.stdout);
      // The heartbeat goes on against the new primary.
      const afterFailover = beatsIn(log).length;
      await eventually(async () => beatsIn(log).length >= afterFailover + 2, 30_000);
      hb.child.kill('SIGTERM');
      const hbDone = await hb.done;
      expect(hbDone.code, hbDone.stderr).toBe(0);

      // The truth, read by the test itself: which beats the new primary has.
      const rows = await query<{ seq: string }>(replica.connection(), "select seq from lifeboat_heartbeat where runbook = 'hb-incident'");
      const present = new Set(rows.map((x) => Number(x.seq)));
      const beats = beatsIn(log);
      const ackedByOld = beats.filter((b) => b.ackedAt <= killedAt);
      const lost = ackedByOld.filter((b) => !present.has(b.seq));
      // Beats acknowledged while WAL was held (give or take the one in flight at the hold) are gone.
      expect(lost.length).toBeGreaterThanOrEqual(5);
      for (const b of lost) expect(b.ackedAt).toBeGreaterThanOrEqual(heldAt - 150);
      const newestPresentBefore = Math.max(...ackedByOld.filter((b) => present.has(b.seq)).map((b) => b.ackedAt));
      const expectedRpo = Math.max(...lost.map((b) => b.ackedAt)) - newestPresentBefore;

      console.info('heartbeat failover:', { lost: lost.length, rpoMs: result.measurements.rpoMs, expectedRpo, walHeldForMs: killedAt - heldAt });
      const hbm = result.measurements.heartbeat;
      expect(hbm).toMatchObject({ target: 'orders-db', lost: lost.length });
      expect(result.measurements.rpoMs).toBe(expectedRpo);
      // The span the test saw WAL held, within a beat interval and the ack in flight.
      expect(result.measurements.rpoMs).toBeGreaterThanOrEqual(killedAt - heldAt - 400);
      expect(result.measurements.rpoMs).toBeLessThanOrEqual(killedAt - heldAt + 200);
      expect(result.verdicts.find((v: { objective: string }) => v.objective === 'rpo')).toMatchObject({ met: true, measuredMs: expectedRpo });
      // Kept with the run.
      expect(reportOf(state, result.runId).measurements.rpoMs).toBe(expectedRpo);
      for (const text of [r.stdout, r.stderr, hbDone.stdout, hbDone.stderr]) expect(text).not.toContain(PASSWORD);
      // Every file of the state directory: journal, reports, history, heartbeat records.
      for (const f of filesUnder(state)) expect(readFileSync(f).toString('latin1').includes(PASSWORD), f).toBe(false);
    } finally {
      if (hb.child.exitCode === null) hb.child.kill('SIGKILL');
    }
  }, T);
});
