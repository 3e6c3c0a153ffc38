import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultRegistry } from '../src/cli/default-registry.js';
import { runDrill } from '../src/engine/run-drill.js';
import { parseRunbook } from '../src/runbook/load.js';
import { journalOf, reportOf, runCli, startCli, tempStateDir } from './support/run-cli.js';
import { faultCommand, now, SwitchableService } from './support/switchable-service.js';

// Independent truth: the test breaks and restores a TCP service itself and keeps the instants on
// its own clock; the drill's t0 and RTO must agree within one probe interval + 10 ms.
const INTERVAL = 20;
const TOLERANCE = INTERVAL + 10;
const silent = pino({ level: 'silent' });

function runbookText(o: { port: number; fault: string[]; stableFor: string; failover?: string }): string {
  return [
    'apiVersion: lifeboat/v1',
    'kind: Runbook',
    'name: rto-truth',
    'objectives: { rto: 30s }',
    'resources:',
    `  svc: { type: tcp, host: 127.0.0.1, port: ${o.port} }`,
    'probes:',
    `  up: { type: tcp, target: svc, interval: ${INTERVAL}ms, timeout: 200ms }`,
    `recovery: { all: [up], stableFor: ${o.stableFor}, timeout: 20s }`,
    'steadyState: { stableFor: 300ms }',
    'fault:',
    `  - { id: break, action: exec, command: ${JSON.stringify(o.fault)}, timeout: 10s }`,
    `failover: ${o.failover ?? '[]'}`,
  ].join('\n');
}

let service: SwitchableService | undefined;
afterEach(() => service?.close());

describe('RTO against a service whose outage the test itself observed', () => {
  it('(a) an exec fault that breaks the service and keeps running 1 s: t0 and RTO are the service’s, not the step’s', async () => {
    const downtime = 1500;
    service = await new SwitchableService().start(() => {
      service!.down();
      setTimeout(() => void service!.up(), downtime);
    });
    const text = runbookText({ port: service.port, fault: faultCommand(service.controlPort, 1000), stableFor: '300ms' });
    const registry = defaultRegistry();
    const result = await runDrill({ loaded: { file: 'a.yaml', text, runbook: parseRunbook(text, 'a.yaml', registry) }, registry, stateDir: tempStateDir(), log: silent });
    expect(result.status, result.error).toBe('completed');
    const [downAt] = service.downs;
    const upAt = service.ups.at(-1)!;
    const m = result.measurements;
    expect(Math.abs(m.outageStartAt! - downAt!)).toBeLessThanOrEqual(TOLERANCE);
    expect(Math.abs(m.rtoMs! - (upAt - downAt!))).toBeLessThanOrEqual(TOLERANCE);
    // The fault step itself ran on for about a second after the break: its end is not t0.
    expect(m.faultEndedAt! - downAt!).toBeGreaterThanOrEqual(900);
    expect(m.rtoResolutionMs).toBeLessThanOrEqual(TOLERANCE);
  }, 60_000);

  it('(b) a fault that returns at once while the service goes down 2 s later and comes back 1 s after', async () => {
    service = await new SwitchableService().start(() => {
      setTimeout(() => {
        service!.down();
        setTimeout(() => void service!.up(), 1000);
      }, 2000);
    });
    // stableFor longer than the fault's delay: the drill watches that long after the (empty) failover.
    const text = runbookText({ port: service.port, fault: faultCommand(service.controlPort, 0), stableFor: '2500ms' });
    const registry = defaultRegistry();
    const result = await runDrill({ loaded: { file: 'b.yaml', text, runbook: parseRunbook(text, 'b.yaml', registry) }, registry, stateDir: tempStateDir(), log: silent });
    expect(result.status, result.error).toBe('completed');
    const [downAt] = service.downs;
    const upAt = service.ups.at(-1)!;
    const m = result.measurements;
    expect(m.outageObserved).toBe(true);
    expect(downAt! - m.faultEndedAt!).toBeGreaterThan(1500);
    expect(Math.abs(m.outageStartAt! - downAt!)).toBeLessThanOrEqual(TOLERANCE);
    expect(Math.abs(m.rtoMs! - (upAt - downAt!))).toBeLessThanOrEqual(TOLERANCE);
  }, 60_000);

  it('(c) a crash after the fault, resumed 5 s later: t0 is kept and the unobserved gap counts as outage', async () => {
    service = await new SwitchableService().start(() => {
      service!.down();
      setTimeout(() => void service!.up(), 3000);
    });
    const dir = mkdtempSync(join(tmpdir(), 'lifeboat-truth-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, runbookText({ port: service.port, fault: faultCommand(service.controlPort, 0), stableFor: '300ms', failover: '[{ id: hold-on, action: wait, duration: 2s }]' }));
    const state = tempStateDir();
    const drill = startCli(['--state-dir', state, 'drill', file]);
    // Kill the runner (SIGKILL: no cleanup) half a second after the service broke.
    while (service.downs.length === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 500));
    drill.child.kill('SIGKILL');
    await drill.done;
    const killedAt = now();
    await new Promise((r) => setTimeout(r, 5000));
    const resumedAt = now();
    const { runId } = journalOf(state)!;
    const r = await runCli(['--state-dir', state, 'resume', runId]);
    const resumeEndedAt = now();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const m = reportOf(state, runId).measurements;
    const downAt = service.downs[0]!;
    expect(Math.abs(m.outageStartAt - downAt)).toBeLessThanOrEqual(TOLERANCE);
    // The service came back while the runner was dead; nobody saw it: recovery is seen after the resume.
    expect(service.ups.at(-1)!).toBeLessThan(resumedAt);
    expect(m.recoveredAt).toBeGreaterThanOrEqual(resumedAt);
    expect(m.recoveredAt).toBeLessThanOrEqual(resumeEndedAt);
    expect(m.rtoMs).toBeGreaterThanOrEqual(resumedAt - downAt);
    expect(killedAt - downAt).toBeLessThan(2000);
  }, 90_000);
});
