import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
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

  it('comes up, and a runbook with DSN resources drills it: the primary killed, the replica promoted, no acknowledged write lost', async () => {
    env = { LIFEBOAT_PRIMARY_PORT: String(await freePort()), LIFEBOAT_REPLICA_PORT: String(await freePort()), LB_COMPOSE_PROJECT: project };
    await compose(['up', '-d'], env);
    const state = tempStateDir();
    const r = await runCli(['--state-dir', state, 'drill', 'runbooks/compose-postgres-dsn.yaml'], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const m = reportOf(state, journalOf(state)!.runId).measurements;
    expect(m.outageObserved).toBe(true);
    expect(m.lostWrites).toBe(0);
    expect(m.markersReadFrom).toBe('replica');
  }, 180_000);
});
