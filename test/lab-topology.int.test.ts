import { describe, expect, it } from 'vitest';
import { livePidsMentioning } from './support/pg-lab-helpers.js';
import { journalOf, labRootOf, reportOf, runCli, tempStateDir } from './support/run-cli.js';

describe('one topology rule for validate and the lab drivers', () => {
  it('starts a lab whose service names validate accepts (db.primary, db.replica), fails it over and removes it', async () => {
    const file = 'test/fixtures/dotted-lab-names.yaml';
    const v = await runCli(['validate', file]);
    expect(v.code, v.stderr).toBe(0);

    const state = tempStateDir();
    const r = await runCli(['--state-dir', state, 'drill', file]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const { runId, path } = journalOf(state)!;
    const report = reportOf(state, runId);
    expect(report.steps.map((s: { id: string; status: string }) => [s.id, s.status])).toEqual([
      ['kill-primary', 'succeeded'],
      ['promote', 'succeeded'],
      ['rejoin', 'succeeded'],
    ]);
    const root = labRootOf(path)!;
    expect(livePidsMentioning(root)).toEqual([]);
  }, 90_000);

  it('rejects at validation, with the position, a lab name that no driver could start', async () => {
    const r = await runCli(['validate', 'test/fixtures/bad-lab-name.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad-lab-name\.yaml:\d+:\d+: lab\.services\.-primary: .*must be 1-63 letters/);
  }, 30_000);
});
