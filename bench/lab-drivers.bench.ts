// The same failover drill on each lab driver, in the same run: measured RTO and lab start-up.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { defaultRegistry } from '../src/cli/default-registry.js';
import { runDrill } from '../src/engine/run-drill.js';
import { loadRunbook } from '../src/runbook/load.js';
import { atMost, fmtMs, info, type BenchReport } from './support/bench-report.js';
import { envCount, median, max } from './support/stats.js';

const RUNBOOKS = { process: 'runbooks/local-postgres-failover.yaml', docker: 'runbooks/docker-postgres-failover.yaml' } as const;

export async function labDriversBench(progress: (line: string) => void): Promise<BenchReport> {
  const runs = envCount('BENCH_DRIVER_RUNS', 10);
  const registry = defaultRegistry();
  const stateDir = mkdtempSync(join(tmpdir(), 'lifeboat-bench-drivers-'));
  const figures: Record<string, { rto: number[]; up: number[] }> = {};
  try {
    const loadedBy = new Map<string, Awaited<ReturnType<typeof loadRunbook>>>();
    for (const [driver, file] of Object.entries(RUNBOOKS)) {
      loadedBy.set(driver, await loadRunbook(file, registry));
      figures[driver] = { rto: [], up: [] };
    }
    // Interleaved, one drill of each driver per round: the machine's state (dirty pages that the
    // servers' syncfs flushes, other load) weighs on both alike.
    for (let i = 0; i < runs; i++) {
      for (const driver of Object.keys(RUNBOOKS)) {
        const loaded = loadedBy.get(driver)!;
        const result = await runDrill({ loaded, registry, stateDir, log: pino({ level: 'silent' }) });
        if (result.verdict !== 'met') throw new Error(`${driver} drill ${i + 1}: ${result.verdict} ${result.error ?? ''}`);
        // Lab up: from the run's start to its first probe check (preflight in between takes milliseconds).
        const firstCheck = result.timeline.find((e) => e.kind === 'probe');
        figures[driver]!.rto.push(result.measurements.rtoMs!);
        figures[driver]!.up.push((firstCheck as { start: number }).start - result.startedAt);
        progress(`${driver} ${i + 1}/${runs}: RTO ${fmtMs(result.measurements.rtoMs!)}, lab up ${fmtMs(figures[driver]!.up.at(-1)!)}`);
      }
    }
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
  const p = figures.process!;
  const d = figures.docker!;
  return {
    title: `the quick-start failover on each lab driver (${runs} drills each)`,
    figures: [
      info('process: measured RTO, median / max', `${fmtMs(median(p.rto))} / ${fmtMs(max(p.rto))}`),
      atMost('docker: measured RTO, median', median(d.rto), 500),
      info('docker: measured RTO, max', fmtMs(max(d.rto))),
      info('process: lab up, median', fmtMs(median(p.up))),
      atMost('docker: lab up, median', median(d.up), median(p.up) + 1000),
    ],
    notes: ['lab up = first probe check − run start (lab start, preflight, probe creation)'],
  };
}
