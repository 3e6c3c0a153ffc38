import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labLeftovers } from '../support/lab-leftovers.js';
import { journalOf, reportOf, runCli, tempStateDir } from '../support/run-cli.js';

/** The quick-start drill's checks, the same for every lab driver (shared, not copied). */
export function quickstartSuite(runbook: string, name: string): void {
  describe(`the quick-start drill (${runbook})`, () => {
    it('fails over a real primary/replica pair, prints measured RTO and RPO, rebuilds the old primary and leaves nothing running', async () => {
      const state = tempStateDir();
      const out = join(state, 'out');
      const startedAt = Date.now();
      const r = await runCli(['--state-dir', state, 'drill', runbook, '--out', out]);
      const endedAt = Date.now();
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/RTO\s+measured \d+(\.\d+)?(ms|s)/);
      expect(r.stdout).toMatch(/RPO\s+measured \d+(\.\d+)?(ms|s)/);
      expect(r.stdout).toMatch(/MET/);

      const { runId, path } = journalOf(state)!;
      const report = reportOf(state, runId);
      expect(report.status).toBe('completed');
      expect(report.verdict).toBe('met');
      const m = report.measurements;
      const step = (id: string) => report.steps.find((s: any) => s.id === id);
      // t0 is observed after the kill started; the service cannot be back before the promotion
      // began (the primary is dead); both lie inside the run the test itself timed.
      expect(m.outageObserved).toBe(true);
      expect(m.outageStartAt).toBeGreaterThanOrEqual(step('kill-primary').startedAt);
      expect(m.outageStartAt).toBeLessThanOrEqual(step('promote').endedAt);
      expect(m.recoveredAt).toBeGreaterThan(step('promote').startedAt);
      expect(m.rtoMs).toBe(m.recoveredAt - m.outageStartAt);
      expect(m.outageStartAt).toBeGreaterThan(startedAt);
      expect(m.recoveredAt).toBeLessThan(endedAt);
      // Streaming is asynchronous: a write acknowledged in the instant of the kill may not have
      // reached the replica (the data-loss suite counts such losses exactly). Almost always none.
      expect(m.lostWrites).toBeLessThanOrEqual(2);
      expect(m.rpoMs === 0).toBe(m.lostWrites === 0);
      // Steady state meant something: writes were acknowledged for at least a second before the fault.
      const faultAt = m.faultStartedAt;
      const acksBefore = report.timeline.filter((e: any) => e.kind === 'write-ack' && e.t < faultAt).map((e: any) => e.t);
      expect(faultAt - Math.min(...acksBefore)).toBeGreaterThanOrEqual(1000);
      expect(acksBefore.length).toBeGreaterThanOrEqual(10);
      expect(m.acknowledgedWrites).toBe(new Set(report.timeline.filter((e: any) => e.kind === 'write-ack').map((e: any) => `${e.writer}:${e.seq}`)).size);

      // The old primary was rebuilt as a replica and the new primary saw it streaming before teardown.
      const rejoin = report.steps.find((s: any) => s.id === 'rejoin-old-primary');
      expect(rejoin.status).toBe('succeeded');
      expect(['rewind', 'basebackup']).toContain(rejoin.output.method);
      expect(rejoin.output.replication.map((x: any) => x.state)).toContain('streaming');

      // Nothing of the lab is left: no process or directory; no container or network.
      expect(labLeftovers(path)).toEqual([]);

      // Reports in the run directory and in --out; history lists the run.
      expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/Measured RTO/);
      expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).runId).toBe(runId);
      const h = await runCli(['--state-dir', state, 'history', '--json']);
      expect(h.code).toBe(0);
      const rows = JSON.parse(h.stdout);
      expect(rows[0]).toMatchObject({ runId, runbook: name, status: 'completed', verdict: 'met' });
    }, 90_000);
  });
}
