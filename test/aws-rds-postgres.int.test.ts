// The postgres.* probes against an RDS endpoint: the fake RDS instance's endpoint is a real local
// PostgreSQL server (process lab); preflight reads the endpoint, the probes connect to it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRegistry } from '../src/cli/default-registry.js';
import { runDrill } from '../src/engine/run-drill.js';
import { startProcessLab } from '../src/lab/process/process-lab.js';
import type { Lab } from '../src/lab/types.js';
import { FAST, fakeWorld } from '../src/providers/aws/testing/fake-world.js';
import type { FakeAws } from '../src/providers/aws/testing/fake-aws.js';
import { parseRunbook } from '../src/runbook/load.js';
import { query } from './support/pg-lab-helpers.js';

let lab: Lab;
let fake: FakeAws;
const dir = mkdtempSync(join(tmpdir(), 'lifeboat-rds-pg-'));
beforeAll(async () => {
  lab = await startProcessLab({ primary: { kind: 'postgres' } }, {});
}, 60_000);
afterAll(async () => {
  fake?.restore();
  await lab?.teardown();
  rmSync(dir, { recursive: true, force: true });
});

describe('postgres probes against an RDS endpoint', () => {
  it('writes markers through the instance’s endpoint and counts them all after an RDS fault', async () => {
    const svc = lab.service('primary');
    const cfg = svc.connection();
    fake = fakeWorld();
    const db = fake.state.rds.get('orders-primary')!;
    db.Endpoint = { Address: svc.host, Port: svc.port };
    const registry = defaultRegistry();
    const text = [
      'apiVersion: lifeboat/v1',
      'kind: Runbook',
      'name: rds-pg',
      'objectives: { rto: 10s, rpo: 1s }',
      'resources:',
      `  db: { type: aws.rds.instance, id: orders-primary, user: ${cfg.user}, database: ${cfg.database ?? 'postgres'} }`,
      'probes:',
      '  writes: { type: postgres.writes, endpoints: [db], interval: 20ms }',
      '  ready: { type: postgres.query, endpoints: [db], interval: 20ms }',
      'steadyState: { stableFor: 200ms }',
      'recovery: { all: [writes, ready], stableFor: 200ms, timeout: 10s }',
      'fault:',
      '  - { id: reboot, action: aws.rds.reboot, target: db }',
    ].join('\n');
    const result = await runDrill({ loaded: { file: 'rds.yaml', text, runbook: parseRunbook(text, 'rds.yaml', registry) }, registry, stateDir: dir, log: pino({ level: 'silent' }), settings: { aws: { ...FAST } } });
    expect(result.error).toBeUndefined();
    expect(result.measurements.acknowledgedWrites).toBeGreaterThanOrEqual(10);
    expect(result.status).toBe('completed');
    // Truth: every acknowledged marker is in the table (a write in flight when the probes stopped
    // may be there unacknowledged), so none is lost.
    const rows = await query<{ writer: string; seq: string }>(cfg, 'select writer, seq from lifeboat_markers where run_id = $1', [result.runId]);
    const inTable = new Set(rows.map((r) => `${r.writer}:${Number(r.seq)}`));
    const acked = result.timeline.filter((e) => e.kind === 'write-ack') as Array<{ writer: string; seq: number }>;
    expect(acked.length).toBe(result.measurements.acknowledgedWrites);
    expect(acked.filter((a) => !inTable.has(`${a.writer}:${a.seq}`))).toEqual([]);
    expect(rows.length - acked.length).toBeLessThanOrEqual(1);
    expect(result.measurements.lostWrites).toBe(0);
    expect(fake.callsOf('RebootDBInstance')).toHaveLength(1);
  }, 60_000);
});
