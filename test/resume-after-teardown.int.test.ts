import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { journalOf, reportOf, runCli, tempStateDir } from './support/run-cli.js';

describe('a run that died after its lab was torn down', () => {
  it('is completed by `resume` without any server: the markers read before failback are in the journal', async () => {
    const state = tempStateDir();
    const first = await runCli(['--state-dir', state, 'drill', 'runbooks/local-postgres-failover.yaml']);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const { runId, path } = journalOf(state)!;
    const before = reportOf(state, runId).measurements;

    // As if the process had died right after the teardown: drop what it wrote at the very end.
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    const kept = lines.filter((l) => {
      const e = JSON.parse(l);
      return e.type !== 'finished' && !(e.type === 'event' && e.event.kind === 'run' && e.event.status !== 'started');
    });
    expect(kept.length).toBe(lines.length - 2);
    writeFileSync(path, `${kept.join('\n')}\n`);

    // The lab is gone: a resume that needed a server would fail (exit 3, ECONNREFUSED).
    const r = await runCli(['--state-dir', state, 'resume', runId]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const after = reportOf(state, runId).measurements;
    expect(after.lostWrites).toBe(before.lostWrites);
    expect(after.acknowledgedWrites).toBe(before.acknowledgedWrites);
    expect(after.outageStartAt).toBe(before.outageStartAt);
    expect(after.recoveredAt).toBe(before.recoveredAt);
    expect(after.rpoMs).toBe(before.rpoMs);
  }, 120_000);
});
