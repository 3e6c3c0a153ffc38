// RTO error when the fault is a command that breaks a service and then runs on for a second: the
// outage start must be observed from the probes, not taken from the end of the fault step.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { defaultRegistry } from '../src/cli/default-registry.js';
import { runDrill } from '../src/engine/run-drill.js';
import { parseRunbook } from '../src/runbook/load.js';
import { faultCommand, SwitchableService } from '../test/support/switchable-service.js';
import { atMost, fmtMs, info, type BenchReport } from './support/bench-report.js';
import { envCount, max, mean } from './support/stats.js';

const INTERVAL_MS = 50;
const SLACK_MS = 10;
const RUN_ON_MS = 1000;

function runbookText(port: number, controlPort: number): string {
  return [
    'apiVersion: lifeboat/v1',
    'kind: Runbook',
    'name: bench-rto-exec-fault',
    'objectives: { rto: 10s }',
    'resources:',
    `  svc: { type: tcp, host: 127.0.0.1, port: ${port} }`,
    'probes:',
    `  up: { type: tcp, target: svc, interval: ${INTERVAL_MS}ms, timeout: 500ms }`,
    'recovery: { all: [up], stableFor: 100ms, timeout: 20s }',
    'steadyState: { stableFor: 200ms }',
    'fault:',
    `  - { id: break, action: exec, command: ${JSON.stringify(faultCommand(controlPort, RUN_ON_MS))}, timeout: 10s }`,
  ].join('\n');
}

export async function rtoExecFaultBench(progress: (line: string) => void): Promise<BenchReport> {
  const runs = envCount('BENCH_RTO_RUNS', 12);
  const stateDir = mkdtempSync(join(tmpdir(), 'lifeboat-bench-exec-'));
  const errors: number[] = [];
  const t0Errors: number[] = [];
  const tails: number[] = [];
  const registry = defaultRegistry();
  try {
    for (let i = 0; i < runs; i++) {
      // Downtimes from 1.2 s to 2 s with jitter, so they fall at every phase of the probe ticks.
      const downMs = Math.round(1200 + (800 * (i + Math.random())) / runs);
      const service = await new SwitchableService().start(() => {
        service.down();
        setTimeout(() => void service.up(), downMs);
      });
      try {
        const text = runbookText(service.port, service.controlPort);
        const loaded = { file: 'bench:rto-exec-fault', text, runbook: parseRunbook(text, 'bench:rto-exec-fault', registry) };
        const result = await runDrill({ loaded, registry, stateDir, log: pino({ level: 'silent' }) });
        const m = result.measurements;
        if (result.status !== 'completed' || m.rtoMs === undefined || m.outageStartAt === undefined) throw new Error(`drill ${i + 1}: ${result.status} ${result.error ?? ''}`);
        const downAt = service.downs[0]!;
        const trueRto = service.ups.at(-1)! - downAt;
        errors.push(m.rtoMs - trueRto);
        t0Errors.push(m.outageStartAt - downAt);
        tails.push(m.faultEndedAt! - downAt);
        progress(`run ${i + 1}/${runs}: true RTO ${fmtMs(trueRto)}, measured ${fmtMs(m.rtoMs)}, error ${fmtMs(m.rtoMs - trueRto, 2)}, t0 − break ${fmtMs(m.outageStartAt - downAt, 2)}`);
      } finally {
        service.close();
      }
    }
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
  const limit = INTERVAL_MS + SLACK_MS;
  return {
    title: `RTO error with an exec fault that runs on ${RUN_ON_MS} ms after breaking the service (${runs} drills, tcp probe every ${INTERVAL_MS} ms)`,
    figures: [
      atMost('max |error| (measured − true RTO)', max(errors.map(Math.abs)), limit),
      info('mean error', fmtMs(mean(errors), 2)),
      atMost('max |t0 − true outage start|', max(t0Errors.map(Math.abs)), limit),
      info('fault step end − true outage start, mean (what "t0 = end of the fault" would have been off by)', fmtMs(mean(tails))),
    ],
    notes: ['true outage = the test service closed its listener (on the control connection of the fault command) until it listened again, on performance.timeOrigin + performance.now()'],
  };
}
