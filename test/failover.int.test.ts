import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcessLab } from '../src/lab/process/process-lab.js';
import type { Lab } from '../src/lab/types.js';
import { journalEntries, journalOf, reportOf, runCli, startCli, tempStateDir } from './support/run-cli.js';
import { query } from './support/pg-lab-helpers.js';
import { waitForRunStep } from './support/wait-for-step.js';

// Real PostgreSQL 15 from Debian's package; these tests fail (never skip) when it is missing.
process.env['LIFEBOAT_PG_BIN'] ??= '/usr/lib/postgresql/15/bin';

const T = 120_000;
// Trust auth accepts any password: it still travels in every DSN, and must appear nowhere.
const PASSWORD = 'Incident-Pw-7c1e93';

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** A real-incident runbook over a standing primary/replica pair reached by DSN. */
function incidentRunbook(dir: string, extra = ''): string {
  const file = join(dir, 'incident.yaml');
  writeFileSync(
    file,
    `apiVersion: lifeboat/v1
kind: Runbook
name: orders-incident
objectives: { rto: 60s }
resources:
  primary: { type: postgres, dsn: "postgres://postgres:\${env:PGPASS}@127.0.0.1:\${env:PRIMARY_PORT}/postgres" }
  replica: { type: postgres, dsn: "postgres://postgres:\${env:PGPASS}@127.0.0.1:\${env:REPLICA_PORT}/postgres" }
  # Where the service lives after the failover: known only once the locate step has run.
  new-primary: { type: postgres, dsn: "postgres://postgres:\${env:PGPASS}@\${steps.locate.stdout}/postgres" }
probes:
  ready: { type: postgres.query, endpoints: [new-primary], sql: select 1, writable: true, interval: 50ms, timeout: 1s }
recovery: { all: [ready], stableFor: 300ms, timeout: 60s }
failover:
  - { id: locate, action: exec, command: [printf, "%s", "127.0.0.1:\${env:REPLICA_PORT}"] }
  - { id: confirm-fenced, action: manual, instructions: "Make sure the old primary is fenced", timeout: 60s }
  - { id: promote, action: postgres.promote, target: replica, timeout: 30s }
${extra}`,
  );
  return file;
}

describe('lifeboat failover (a real incident on a standing PostgreSQL pair)', () => {
  let lab: Lab;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    lab = await startProcessLab({ primary: { kind: 'postgres' }, replica: { kind: 'postgres', replicaOf: 'primary' } });
    env = { PGPASS: PASSWORD, PRIMARY_PORT: String(lab.service('primary').port), REPLICA_PORT: String(lab.service('replica').port) };
  }, T);

  afterAll(async () => {
    await lab?.teardown();
  }, T);

  it('refuses without --yes when stdin is not a terminal: exit 2, before any connection or journal', async () => {
    // A "server" that counts connections: the refusal must come before preflight reaches it.
    let connections = 0;
    const server: Server = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const state = tempStateDir();
    try {
      const file = incidentRunbook(state);
      const r = await runCli(['--state-dir', state, 'failover', file], { ...env, PRIMARY_PORT: String(port), REPLICA_PORT: String(port) });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/refusing a real failover of orders-incident without confirmation: stdin is not a terminal.*--yes/);
      expect(r.stdout).toContain('Plan for orders-incident (failover)');
      expect(connections).toBe(0);
      expect(existsSync(join(state, 'runs'))).toBe(false);
      expect(existsSync(join(state, 'history.db'))).toBe(false);
    } finally {
      server.close();
    }
  }, T);

  it('refuses a bad or future --incident-start (exit 2) and changes nothing', async () => {
    const state = tempStateDir();
    const file = incidentRunbook(state);
    for (const bad of ['last tuesday', new Date(Date.now() + 3_600_000).toISOString()]) {
      const r = await runCli(['--state-dir', state, 'failover', file, '--yes', '--incident-start', bad], env);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--incident-start/);
    }
    expect(existsSync(join(state, 'runs'))).toBe(false);
  }, T);

  it('--dry-run prints the plan and runs the read-only preflight only: nothing journaled, recorded or changed', async () => {
    const state = tempStateDir();
    const file = incidentRunbook(state);
    const r = await runCli(['--state-dir', state, 'failover', file, '--dry-run'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Plan for orders-incident (failover)');
    expect(r.stdout).toContain('preflight: passed');
    // A primary that does not answer is what an incident looks like: reported, not fatal.
    const down = await runCli(['--state-dir', state, 'failover', file, '--dry-run'], { ...env, PRIMARY_PORT: '1' });
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/preflight: problems \(expected in an outage[^]*✘ primary: does not answer/);
    expect(existsSync(join(state, 'runs'))).toBe(false);
    expect(existsSync(join(state, 'history.db'))).toBe(false);
    const [row] = await query<{ rec: boolean }>(lab.service('replica').connection(), 'select pg_is_in_recovery() as rec');
    expect(row!.rec).toBe(true);
    for (const text of [r.stdout, r.stderr, down.stdout, down.stderr]) expect(text).not.toContain(PASSWORD);
  }, T);

  it('runs the failover killed with kill -9 at a manual step, approved from another shell, resumed: RTO from --incident-start, no secret anywhere', async () => {
    const state = tempStateDir();
    const out = join(state, 'out');
    const file = incidentRunbook(state);
    // The incident: the primary dies; the operator declares it 1.5 s before running Lifeboat.
    await lab.service('primary').kill('SIGKILL');
    const incidentStart = Date.now() - 1_500;
    const iso = new Date(incidentStart).toISOString();

    // Debug logs to a file in the state directory: grepped for the password with everything else.
    const logArgs = ['--log-file', join(state, 'lifeboat.log'), '--log-level', 'debug'];
    const first = startCli(['--state-dir', state, ...logArgs, 'failover', file, '--yes', '--incident-start', iso, '--out', out], env);
    const j = await waitForRunStep(first, state, 'confirm-fenced');
    // The run is waiting for the operator: kill it as a crash would.
    await new Promise((r) => setTimeout(r, 300));
    first.child.kill('SIGKILL');
    await first.done;
    expect(readFileSync(j.path, 'utf8')).not.toContain('"stepId":"promote"');

    // Confirmed from another shell while no run is alive; the resumed run must not wait again.
    const approved = await runCli(['--state-dir', state, 'approve', j.runId, 'confirm-fenced'], env);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain(`approved confirm-fenced of run ${j.runId}`);
    const again = await runCli(['--state-dir', state, 'approve', j.runId, 'confirm-fenced'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already approved');
    const notManual = await runCli(['--state-dir', state, 'approve', j.runId, 'promote'], env);
    expect(notManual.code).toBe(2);
    expect(notManual.stderr).toContain('has no manual step "promote" (manual steps: confirm-fenced)');

    const resumedAt = Date.now();
    const resumed = await runCli(['--state-dir', state, ...logArgs, 'resume', j.runId, '--out', out], env);
    const endedAt = Date.now();
    expect(resumed.code, resumed.stderr + resumed.stdout).toBe(0);
    expect(resumed.stdout).toContain('Failover orders-incident');

    const report = reportOf(state, j.runId);
    expect(report.mode).toBe('failover');
    expect(report.status).toBe('completed');
    expect(report.attempts).toBe(2);
    console.info('failover resumed:', { rtoMs: report.measurements.rtoMs, resumedAfterIncidentMs: resumedAt - incidentStart, endedAfterIncidentMs: endedAt - incidentStart });
    // t0 is the incident start given on the first attempt, to the millisecond.
    expect(report.measurements.outageStartAt).toBe(incidentStart);
    // Service came back only after the resumed attempt promoted the replica.
    expect(report.measurements.rtoMs).toBeGreaterThanOrEqual(resumedAt - incidentStart);
    expect(report.measurements.rtoMs).toBeLessThanOrEqual(endedAt - incidentStart);
    const steps = Object.fromEntries(report.steps.map((s: { id: string; status: string }) => [s.id, s.status]));
    expect(steps).toMatchObject({ locate: 'succeeded', 'confirm-fenced': 'already-done', promote: 'succeeded' });
    expect(report.steps.find((s: { id: string }) => s.id === 'confirm-fenced').output).toMatchObject({ confirmedBy: expect.stringMatching(/^approve:/) });
    // The replica really is the new primary.
    const [row] = await query<{ rec: boolean }>(lab.service('replica').connection(), 'select pg_is_in_recovery() as rec');
    expect(row!.rec).toBe(false);

    // The password reached no file, log or output.
    const artifacts = [...filesUnder(state), ...filesUnder(out)];
    expect(artifacts.some((f) => f.endsWith('journal.jsonl'))).toBe(true);
    expect(artifacts.some((f) => f.endsWith('report.md'))).toBe(true);
    expect(artifacts.some((f) => f.endsWith('history.db'))).toBe(true);
    expect(readFileSync(join(state, 'lifeboat.log'), 'utf8')).toContain('"level":20');
    for (const f of artifacts) expect(readFileSync(f).toString('latin1').includes(PASSWORD), f).toBe(false);
    for (const text of [first.stdout(), first.stderr(), resumed.stdout, resumed.stderr, approved.stdout]) expect(text).not.toContain(PASSWORD);
    expect(journalEntries(j.path).some((e) => e.type === 'attempt' && e.attempt === 2)).toBe(true);
  }, T);
});
