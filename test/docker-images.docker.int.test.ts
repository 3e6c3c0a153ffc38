import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { query } from './support/pg-lab-helpers.js';
import { journalOf, reportOf, runCli, tempStateDir } from './support/run-cli.js';

const run = promisify(execFile);

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe("Lifeboat's own image (docker/lifeboat)", () => {
  it('runs the quick-start drill inside a container: exit 0, MET', async () => {
    const r = await run('docker', ['run', '--rm', '--init', 'lifeboat/lifeboat:latest', 'drill', 'runbooks/local-postgres-failover.yaml'], { timeout: 120_000 }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect((r as { code?: number }).code ?? 0, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/Drill local-postgres-failover — run \S+: MET/);
  }, 150_000);
});

describe('the standing pair of docker/compose.yaml', () => {
  const project = `lifeboattest${process.pid}`;
  const compose = (args: string[], env: NodeJS.ProcessEnv) => run('docker-compose', ['-f', 'docker/compose.yaml', '-p', project, ...args], { env: { ...process.env, ...env }, timeout: 120_000 });
  let env: NodeJS.ProcessEnv = {};
  afterAll(async () => {
    await compose(['down', '-v', '--remove-orphans'], env).catch(() => {});
  });

  it('comes up, and a runbook with DSN resources drills it: the primary killed, the replica promoted, lost writes exact', async () => {
    env = { LIFEBOAT_PRIMARY_PORT: String(await freePort()), LIFEBOAT_REPLICA_PORT: String(await freePort()), LB_COMPOSE_PROJECT: project };
    await compose(['up', '-d'], env);
    const state = tempStateDir();
    const r = await runCli(['--state-dir', state, 'drill', 'runbooks/compose-postgres-dsn.yaml'], env);
    const report = reportOf(state, journalOf(state)!.runId);
    // Asynchronous streaming: a kill may lose the last acknowledged writes; exit 0 or 1 follows the RPO verdict.
    expect(r.code, r.stdout + r.stderr).toBe(report.verdict === 'met' ? 0 : 1);
    const m = report.measurements;
    expect(m.outageObserved).toBe(true);
    expect(m.markersReadFrom).toBe('replica');
    // The pair stays up after the drill: the test reads the promoted replica itself.
    const rows = await query<{ writer: string; seq: string }>({ host: '127.0.0.1', port: Number(env.LIFEBOAT_REPLICA_PORT), user: 'postgres', database: 'postgres' }, 'select writer, seq from lifeboat_markers where run_id = $1', [report.runId]);
    const present = new Set(rows.map((x) => `${x.writer}:${Number(x.seq)}`));
    const acked = new Set<string>(report.timeline.filter((e: { kind: string }) => e.kind === "write-ack").map((e: { writer: string; seq: number }) => `${e.writer}:${e.seq}`));
    expect(m.acknowledgedWrites).toBe(acked.size);
    expect(m.lostWrites).toBe([...acked].filter((k) => !present.has(k)).length);
  }, 180_000);
});
