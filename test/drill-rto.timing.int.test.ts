import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { runDrill } from '../src/engine/run-drill.js';
import { startProcessLab } from '../src/lab/process/process-lab.js';
import { loadRunbook } from '../src/runbook/load.js';
import pg from 'pg';
import { tempStateDir } from './support/run-cli.js';
import { defaultRegistry } from '../src/cli/default-registry.js';

const silent = pino({ level: 'silent' });

describe('measured RTO', () => {
  it('is at least 2 s when the failover contains a 2 s wait', async () => {
    const loaded = await loadRunbook('test/fixtures/wait-in-failover.yaml', defaultRegistry());
    const result = await runDrill({ loaded, registry: defaultRegistry(), stateDir: tempStateDir(), log: silent });
    expect(result.status, result.error).toBe('completed');
    expect(result.measurements.rtoMs).toBeGreaterThanOrEqual(2000);
    expect(result.verdict).toBe('met');
  }, 90_000);

  it('with an empty failover phase, is the time from the fault to the moment the external promote returned', async () => {
    await using lab = await startProcessLab({ primary: { kind: 'postgres' }, replica: { kind: 'postgres', replicaOf: 'primary' } });
    const primary = lab.service('primary');
    const replica = lab.service('replica');
    const loaded = await loadRunbook('test/fixtures/self-healing-dsn.yaml', defaultRegistry());
    const interval = 50;
    const delay = 1500;
    let promotedAt: number | undefined;
    let promotion: Promise<void> | undefined;
    const now = () => performance.timeOrigin + performance.now();
    const result = await runDrill({
      registry: defaultRegistry(),
      loaded,
      stateDir: tempStateDir(),
      log: silent,
      env: { ...process.env, LB_PRIMARY_PORT: String(primary.port), LB_REPLICA_PORT: String(replica.port), LB_PRIMARY_PID: String(primary.pid) },
      onEvent: (e) => {
        // The fault (SIGKILL of the primary) is done: the external "HA system" promotes `delay` later.
        if (e.kind !== 'phase' || e.phase !== 'fault' || e.status !== 'completed') return;
        promotion = (async () => {
          const client = new pg.Client(replica.connection());
          client.on('error', () => {});
          await client.connect();
          try {
            await new Promise((r) => setTimeout(r, delay));
            await client.query('select pg_promote(false)');
            // The promote "returns" when the server says it is no longer in recovery.
            for (;;) {
              const { rows } = await client.query<{ rec: boolean }>('select pg_is_in_recovery() as rec');
              if (!rows[0]!.rec) break;
              await new Promise((r) => setTimeout(r, 1));
            }
            promotedAt = now();
          } finally {
            await client.end();
          }
        })();
      },
    });
    await promotion;
    expect(result.status, result.error).toBe('completed');
    expect(promotedAt).toBeDefined();
    const expected = promotedAt! - result.measurements.outageStartAt!;
    expect(expected).toBeGreaterThanOrEqual(delay);
    const rto = result.measurements.rtoMs!;
    if (process.env.LB_DEBUG_TIMING) {
      const t0 = result.measurements.outageStartAt!;
      const firstOk = result.timeline.find((e) => e.kind === 'probe' && e.ok && e.start >= t0) as { start: number; t: number } | undefined;
      const prev = result.timeline.filter((e) => e.kind === 'probe' && !e.ok && e.start >= t0).at(-1) as { start: number; t: number } | undefined;
      console.log(JSON.stringify({ error: rto - expected, promotedAt: promotedAt! - t0, okStart: firstOk!.start - t0, okEnd: firstOk!.t - t0, okDur: firstOk!.t - firstOk!.start, lastFail: prev && { start: prev.start - t0, dur: prev.t - prev.start } }));
    }
    expect(rto).toBeGreaterThanOrEqual(expected - 10);
    expect(rto).toBeLessThanOrEqual(expected + interval + 10);
  }, 90_000);
});
