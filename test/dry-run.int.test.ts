// `drill --dry-run` from the command line: preflight and plan only — no lab, no journal, no history.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempStateDir } from './support/run-cli.js';

describe('drill --dry-run', () => {
  it('prints the plan and a passed preflight, exit 0, and starts no lab and records nothing', async () => {
    const state = tempStateDir();
    const r = await runCli(['--state-dir', state, 'drill', '--dry-run', 'runbooks/local-postgres-failover.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Plan for local-postgres-failover (drill)');
    expect(r.stdout).toContain('preflight: passed');
    expect(r.stdout).toContain('dry run: no lab, no probe, no step ran');
    expect(existsSync(join(state, 'runs'))).toBe(false);
    expect(existsSync(join(state, 'history.db'))).toBe(false);
  }, 30_000);

  it('exits 3 with the problem when preflight finds one (a server that does not answer), as JSON too', async () => {
    const state = tempStateDir();
    const file = join(state, 'dsn.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: lifeboat/v1',
        'kind: Runbook',
        'name: dry-dsn',
        'objectives: { rto: 5s }',
        'resources:',
        '  db: { type: postgres, hosts: ["127.0.0.1:1"], user: app, password: "${env:DRY_PW}" }',
        'probes:',
        '  ready: { type: postgres.query, endpoints: [db] }',
        'recovery: { all: [ready] }',
        'failover:',
        '  - { id: promote, action: postgres.promote, target: db }',
      ].join('\n'),
    );
    const r = await runCli(['--state-dir', state, 'drill', '--dry-run', '--json', file], { DRY_PW: 'dry-secret-pw-123' });
    expect(r.code).toBe(3);
    const out = JSON.parse(r.stdout) as { dryRun: boolean; preflight: string; problems: Array<{ resource: string }>; plan: { phases: unknown[] } };
    expect(out.dryRun).toBe(true);
    expect(out.preflight).toBe('failed');
    expect(out.problems.map((p) => p.resource)).toEqual(['db']);
    expect(r.stdout + r.stderr).not.toContain('dry-secret-pw-123');
    expect(existsSync(join(state, 'runs'))).toBe(false);
  }, 30_000);
});
