import { describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.js';

const FILE = 'runbooks/postgres-dsn-incident.yaml';

describe(`the real-incident example (${FILE})`, () => {
  it('is valid', async () => {
    const r = await runCli(['validate', FILE]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('plans the failover: manual steps, promotion, no fault, nothing called', async () => {
    const r = await runCli(['plan', FILE, '--mode', 'failover', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.mode).toBe('failover');
    expect(plan.phases.map((p: { phase: string }) => p.phase)).toEqual(['failover']);
    expect(plan.phases[0].steps.map((s: { id: string; action: string }) => `${s.id}:${s.action}`)).toEqual([
      'fence-old-primary:manual',
      'promote:postgres.promote',
      'locate:exec',
      'repoint-dns:manual',
    ]);
    expect(plan.phases[0].steps[0]).toMatchObject({ mutating: true, timeoutMs: 15 * 60_000, onFailure: 'abort' });
    expect(plan.phases[0].steps[3]).toMatchObject({ onFailure: 'continue' });
  });
});
