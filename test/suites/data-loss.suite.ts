import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import pino from 'pino';
import { runDrill } from '../../src/engine/run-drill.js';
import { loadRunbook } from '../../src/runbook/load.js';
import { createRegistry } from '../../src/providers/registry.js';
import { defaultRegistry } from '../../src/cli/default-registry.js';
import type { ActionDef, Provider } from '../../src/providers/types.js';
import { query } from '../support/pg-lab-helpers.js';
import { journalOf, reportOf, runCli, tempStateDir } from '../support/run-cli.js';

const RUNBOOK = 'test/fixtures/hold-wal-drill.yaml';

/** The hold-wal drill for a lab driver: the fixture itself, or a copy of it on another driver. */
function runbookFile(driver: 'process' | 'docker'): string {
  if (driver === 'process') return RUNBOOK;
  const file = join(mkdtempSync(join(tmpdir(), 'lifeboat-fixture-')), 'hold-wal-drill.yaml');
  writeFileSync(file, readFileSync(RUNBOOK, 'utf8').replace(/^lab:\n/m, `lab:\n  driver: ${driver}\n`));
  return file;
}

/** Lost writes and RPO against the test's own reading of the promoted database, the same for every lab driver. */
export function dataLossSuite(driver: 'process' | 'docker'): void {
    describe(`a drill that holds back WAL shipping while writes continue (${driver} lab)`, () => {
    it('reports lost writes and an RPO above zero, and exits 1 when the RPO objective is tighter than the lag', async () => {
      const state = tempStateDir();
      const r = await runCli(['--state-dir', state, 'drill', runbookFile(driver)]);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toMatch(/RPO\s+measured .*MISSED/);
      const report = reportOf(state, journalOf(state)!.runId);
      expect(report.status).toBe('completed');
      expect(report.verdict).toBe('missed');
      expect(report.measurements.lostWrites).toBeGreaterThan(0);
      expect(report.measurements.rpoMs).toBeGreaterThan(100);
      expect(report.verdicts.find((v: any) => v.objective === 'rpo')).toMatchObject({ met: false });
    }, 90_000);

    it('counts exactly the acknowledged writes that the promoted database does not have', async () => {
      // A test-only action, run first in failback, reads the markers straight from the promoted replica.
      let present: Set<string> | undefined;
      const capture: ActionDef<Record<string, never>> = {
        name: 'test.capture-markers',
        description: 'test: read markers from the target',
        phases: ['failback'],
        target: 'required',
        targetTypes: ['lab.postgres'],
        params: z.object({}),
        mutates: false,
        async run(ctx) {
          const cfg = ctx.lab!.service(String(ctx.target!.spec.service)).connection();
          const rows = await query<{ writer: string; seq: string }>(cfg, 'select writer, seq from lifeboat_markers where run_id = $1', [ctx.runId]);
          present = new Set(rows.map((x) => `${x.writer}:${Number(x.seq)}`));
          return { count: present.size };
        },
      };
      const testProvider: Provider = { name: 'test', resourceTypes: [], actions: [capture], probes: [] };
      const registry = createRegistry([...defaultRegistry().providers, testProvider], defaultRegistry().labDrivers);
      const loaded = await loadRunbook(runbookFile(driver), registry);
      loaded.runbook.failback.unshift({ id: 'capture', action: 'test.capture-markers', target: 'replica', onFailure: 'abort' });

      const result = await runDrill({ loaded, registry, stateDir: tempStateDir(), log: pino({ level: 'silent' }) });
      expect(result.status, result.error).toBe('completed');
      expect(present).toBeDefined();
      const acked = new Set(result.timeline.filter((e) => e.kind === 'write-ack').map((e: any) => `${e.writer}:${e.seq}`));
      const lostIndependently = [...acked].filter((k) => !present!.has(k));
      expect(lostIndependently.length).toBeGreaterThan(0);
      expect(result.measurements.lostWrites).toBe(lostIndependently.length);
      expect(result.measurements.acknowledgedWrites).toBe(acked.size);
      // The RPO from the test's own reading: newest lost ack − newest surviving ack before the oldest lost one.
      const firstAck = new Map<string, number>();
      for (const e of result.timeline) if (e.kind === 'write-ack') firstAck.set(`${e.writer}:${e.seq}`, Math.min(firstAck.get(`${e.writer}:${e.seq}`) ?? Infinity, e.t));
      const lostTimes = lostIndependently.map((k) => firstAck.get(k)!).sort((a, b) => a - b);
      const survivorsBefore = [...firstAck].filter(([k, t]) => present!.has(k) && t < lostTimes[0]!).map(([, t]) => t);
      expect(survivorsBefore.length).toBeGreaterThan(0);
      expect(result.measurements.rpoMs).toBe(lostTimes.at(-1)! - Math.max(...survivorsBefore));
      expect(result.measurements.rpoIsLowerBound).toBe(false);
      // The held-back writes were acknowledged during the 800 ms hold: the RPO spans at least most of it.
      expect(result.measurements.rpoMs).toBeGreaterThan(600);
    }, 90_000);
  });
}
