import { createServer } from 'node:net';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { journalOf, reportOf, runCli, tempStateDir } from './support/run-cli.js';

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at /);

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('a drill that cannot run', () => {
  it('exits 3 and says what to install when the PostgreSQL server binaries are missing', async () => {
    const state = tempStateDir();
    const r = await runCli(['--state-dir', state, 'drill', 'runbooks/local-postgres-failover.yaml'], { LIFEBOAT_PG_BIN: '/nonexistent/bin' });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/apt-get install -y postgresql/);
    noStack(r.stderr);
    expect(reportOf(state, journalOf(state)!.runId).status).toBe('failed');
  }, 30_000);

  it('exits 2 before anything starts when a ${env:...} variable is not set', async () => {
    const state = tempStateDir();
    // undefined removes the variable from the child's environment
    const r = await runCli(['--state-dir', state, 'drill', 'test/fixtures/unreachable-dsn.yaml'], { LB_PORT: '1', LB_SECRET: undefined });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not set: LB_SECRET/);
    expect(existsSync(join(state, 'runs'))).toBe(false);
  }, 30_000);

  it('exits 3 at preflight, before anything mutates, when a DSN does not answer, without leaking its password', async () => {
    const state = tempStateDir();
    const port = await closedPort();
    const r = await runCli(['--state-dir', state, '--log-level', 'debug', 'drill', 'test/fixtures/unreachable-dsn.yaml'], {
      LB_PORT: String(port),
      LB_SECRET: 'hunter2-very-secret',
    });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/preflight: db: does not answer: 127\.0\.0\.1:\d+\/postgres: cannot connect/);
    // Nothing ran: no fault step started.
    expect(JSON.stringify(reportOf(state, journalOf(state)!.runId).steps)).toBe('[]');
    const { runId, path } = journalOf(state)!;
    const all = r.stdout + r.stderr + JSON.stringify(reportOf(state, runId)) + readdirSync(join(state, 'runs', runId)).join();
    expect(all).not.toContain('hunter2-very-secret');
    expect(readFileSync(path, 'utf8')).not.toContain('hunter2-very-secret');
  }, 30_000);

  it('exits 3 when steady state is never reached', async () => {
    const state = tempStateDir();
    const r = await runCli(['--state-dir', state, 'drill', 'test/fixtures/unreachable-tcp.yaml']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/steady state not reached within 1s: up: /);
    noStack(r.stderr);
  }, 30_000);

  it('refuses a second run of a runbook while another live run holds its lock (exit 3)', async () => {
    const state = tempStateDir();
    mkdirSync(join(state, 'locks'), { recursive: true });
    writeFileSync(join(state, 'locks', 'unreachable-dsn.lock'), JSON.stringify({ pid: process.pid, runId: 'other-run' }));
    const r = await runCli(['--state-dir', state, 'drill', 'test/fixtures/unreachable-dsn.yaml'], { LB_PORT: '1', LB_SECRET: 'x' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/locked by run other-run/);
  }, 30_000);

  it('rejects an invalid runbook with exit 2 and no stack trace', async () => {
    const r = await runCli(['drill', 'test/fixtures/many-mistakes.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/many-mistakes\.yaml:\d+:\d+: /);
    noStack(r.stderr);
  }, 30_000);

  it('resume of an unknown run exits 2', async () => {
    const r = await runCli(['--state-dir', tempStateDir(), 'resume', 'no-such-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no run no-such-run/);
  }, 30_000);
});
