// RTO measurement error against a target whose recovery instant is known exactly: a local TCP
// server that a bench-only fault closes and that listens again after a chosen delay.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { z } from 'zod';
import { runDrill } from '../src/engine/run-drill.js';
import { defaultRegistry } from '../src/cli/default-registry.js';
import { createRegistry } from '../src/providers/registry.js';
import type { ActionDef, Provider } from '../src/providers/types.js';
import { Duration, ms } from '../src/util/duration.js';
import { parseRunbook } from '../src/runbook/load.js';
import { atMost, fmtMs, info, type BenchReport } from './support/bench-report.js';
import { envCount, max, mean, min, nowEpochMs } from './support/stats.js';

const PROBE_INTERVAL_MS = 50;
/** The measurement may lag the true instant by one probe interval, plus this for the check itself. */
const SLACK_MS = 10;
/** A measured RTO earlier than the true one by more than this is a bug (it cannot see the future). */
const NEGATIVE_TOLERANCE_MS = 1;
const MIN_DOWN_MS = 300;
const MAX_DOWN_MS = 900;

/** A TCP server on 127.0.0.1 that can be taken down and brought back on the same port. */
class FlakyTcpServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private timer: NodeJS.Timeout | undefined;
  port = 0;
  /** When `listen` last called back (epoch ms on the monotonic clock). */
  listenedAt: number | undefined;

  async listen(): Promise<void> {
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        this.listenedAt = nowEpochMs();
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const address = server.address();
    if (address && typeof address === 'object') this.port = address.port;
  }

  /** Closes the listener and every open connection; listens again after `downForMs`. */
  takeDown(downForMs: number): void {
    if (!this.server) throw new Error('bench: the server is not listening');
    this.server.close();
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.listenedAt = undefined;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.listen().catch((err: unknown) => {
        this.failure = err;
      });
    }, downForMs);
  }

  failure: unknown;

  close(): void {
    clearTimeout(this.timer);
    this.server?.close();
    for (const s of this.sockets) s.destroy();
  }
}

function benchProvider(server: FlakyTcpServer): Provider {
  const outage: ActionDef<{ downFor: string }> = {
    name: 'bench.tcp-outage',
    description: 'bench: close the TCP server and its connections; it listens again after `downFor`',
    phases: ['fault'],
    target: 'required',
    targetTypes: ['tcp'],
    params: z.object({ downFor: Duration }),
    mutates: true,
    async run(_ctx, p) {
      server.takeDown(ms(p.downFor));
      return { port: server.port };
    },
  };
  return { name: 'bench', resourceTypes: [], actions: [outage], probes: [] };
}

function runbookText(port: number, downForMs: number): string {
  return `
apiVersion: lifeboat/v1
kind: Runbook
name: bench-rto-accuracy
objectives: { rto: 5s }
resources:
  svc: { type: tcp, host: 127.0.0.1, port: ${port} }
probes:
  up: { type: tcp, target: svc, interval: ${PROBE_INTERVAL_MS}ms, timeout: 1s }
recovery: { all: [up], stableFor: 0ms, timeout: 10s }
fault:
  - { id: take-down, action: bench.tcp-outage, target: svc, downFor: ${downForMs}ms }
`;
}

export async function rtoAccuracyBench(progress: (line: string) => void): Promise<BenchReport> {
  const runs = envCount('BENCH_RTO_RUNS', 12);
  const stateDir = mkdtempSync(join(tmpdir(), 'lifeboat-bench-rto-'));
  const server = new FlakyTcpServer();
  const errors: number[] = [];
  const offsets: number[] = [];
  try {
    await server.listen();
    const registry = createRegistry([...defaultRegistry().providers, benchProvider(server)], defaultRegistry().labDrivers);
    for (let i = 0; i < runs; i++) {
      // Spread the delays over the range, with jitter so they fall at every phase of the probe ticks.
      const downForMs = Math.round(MIN_DOWN_MS + ((MAX_DOWN_MS - MIN_DOWN_MS) * (i + Math.random())) / runs);
      const text = runbookText(server.port, downForMs);
      const loaded = { file: 'bench:rto-accuracy', text, runbook: parseRunbook(text, 'bench:rto-accuracy', registry) };
      let offset = Infinity;
      const result = await runDrill({
        loaded,
        registry,
        stateDir,
        log: pino({ level: 'silent' }),
        // How far the performance.timeOrigin basis is ahead of the run clock (an upper bound: the least lag seen).
        onEvent: (e) => {
          if (e.kind === 'probe') offset = Math.min(offset, nowEpochMs() - e.t);
        },
      });
      if (server.failure) throw server.failure;
      if (result.status !== 'completed') throw new Error(`drill ${i + 1} ${result.status}: ${result.error}`);
      const t0 = result.measurements.outageStartAt;
      const rto = result.measurements.rtoMs;
      const back = server.listenedAt;
      if (t0 === undefined || rto === undefined || back === undefined) throw new Error(`drill ${i + 1}: no RTO measured (t0 ${t0}, rto ${rto}, listened ${back})`);
      const trueRto = back - t0;
      errors.push(rto - trueRto);
      offsets.push(offset);
      progress(`run ${i + 1}/${runs}: down for ${downForMs} ms, true RTO ${fmtMs(trueRto)}, measured ${fmtMs(rto)}, error ${fmtMs(rto - trueRto, 2)}`);
    }
  } finally {
    server.close();
    rmSync(stateDir, { recursive: true, force: true });
  }

  const limit = PROBE_INTERVAL_MS + SLACK_MS;
  const lowest = min(errors);
  return {
    title: `RTO error against a known recovery instant (${runs} drills, tcp probe every ${PROBE_INTERVAL_MS} ms, outages ${MIN_DOWN_MS}–${MAX_DOWN_MS} ms)`,
    figures: [
      atMost('max error (measured − true RTO)', max(errors), limit),
      atMost('mean error', mean(errors), limit),
      { figure: 'min error', measured: fmtMs(lowest, 2), target: `≥ −${fmtMs(NEGATIVE_TOLERANCE_MS)}`, within: lowest >= -NEGATIVE_TOLERANCE_MS },
      info('probe interval (the resolution)', fmtMs(PROBE_INTERVAL_MS, 0)),
      info('clock basis offset (timeOrigin+now − run clock), max', fmtMs(max(offsets), 3)),
    ],
    notes: [
      'true RTO = instant `listen` called back − result.measurements.outageStartAt; both on performance.timeOrigin + performance.now()',
      'the clock basis offset bounds how far the two time bases differ; a measured error below it would still be a bug',
    ],
  };
}
