import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { defaultRegistry } from '../src/cli/default-registry.js';
import { runDrill } from '../src/engine/run-drill.js';
import { awsProvider } from '../src/providers/aws/aws-provider.js';
import { FAST, fakeWorld } from '../src/providers/aws/testing/fake-world.js';
import { createRegistry } from '../src/providers/registry.js';
import type { ActionDef, Provider } from '../src/providers/types.js';
import { parseRunbook } from '../src/runbook/load.js';
import { atMost, info, type BenchReport } from './support/bench-report.js';
import { envCount, median } from './support/stats.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist/cli/main.js');
const RUNBOOK = 'runbooks/aws-rds-cross-region.yaml';

function timed(args: string[]): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ORDERS_DB_PASSWORD: 'x' } });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return performance.now() - t;
}

/** A failover of `steps` AWS steps against the fakes, with the time spent inside the actions measured. */
async function failoverOverhead(steps: number): Promise<{ perStepMs: number; insideMs: number; phaseMs: number }> {
  const fake = fakeWorld();
  fake.state.route53PendingPolls = 1;
  let inside = 0;
  // The same actions, timed from inside: what is left of the phase is the engine's (executor, journal, outputs).
  const wrap = (a: ActionDef): ActionDef => ({
    ...a,
    async run(ctx, p) {
      const t = performance.now();
      try {
        return await a.run.call(a, ctx, p);
      } finally {
        inside += performance.now() - t;
      }
    },
  });
  const timedAws: Provider = { ...awsProvider, actions: awsProvider.actions.map(wrap) };
  const base = defaultRegistry();
  const registry = createRegistry([...base.providers.filter((p) => p.name !== 'aws'), timedAws], base.labDrivers);
  const lines = ['apiVersion: lifeboat/v1', 'kind: Runbook', 'name: aws-bench', 'objectives: { rto: 1h }', 'probes:', '  up: { type: aws.rds.status, target: aurora, interval: 5s }', 'recovery: { all: [up], timeout: 1m }', 'resources:', '  aurora: { type: aws.rds.cluster, id: orders-aurora }', '  dns: { type: aws.route53.record, zoneId: Z0FAKE, name: db.example.com }', 'failover:'];
  for (let i = 0; i < steps; i++) {
    lines.push(i % 2 === 0 ? `  - { id: s${i}, action: aws.rds.failover-cluster, target: aurora }` : `  - { id: s${i}, action: aws.route53.change-record, target: dns, value: 'v${i}.example.com' }`);
  }
  const text = lines.join('\n');
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-aws-bench-'));
  try {
    const result = await runDrill({
      loaded: { file: 'bench.yaml', text, runbook: parseRunbook(text, 'bench.yaml', registry) },
      registry,
      mode: 'failover',
      stateDir: dir,
      log: pino({ level: 'silent' }),
      settings: { aws: { ...FAST, pollIntervalMs: 0 } },
    });
    if (result.status !== 'completed') throw new Error(`bench failover did not complete: ${result.error}`);
    const phase = result.timeline.filter((e) => e.kind === 'phase' && e.phase === 'failover') as Array<{ t: number; status: string }>;
    const phaseMs = phase.find((e) => e.status === 'completed')!.t - phase.find((e) => e.status === 'started')!.t;
    return { perStepMs: (phaseMs - inside) / steps, insideMs: inside, phaseMs };
  } finally {
    fake.restore();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** validate/plan of an AWS runbook against a bare node; engine overhead per step of an AWS failover on the fakes. */
export async function awsBench(progress: (line: string) => void): Promise<BenchReport> {
  if (!existsSync(CLI)) throw new Error('dist/cli/main.js is missing: run `npm run build` first');
  const runs = envCount('BENCH_STARTUP_RUNS', 15);
  const bare: number[] = [];
  const validate: number[] = [];
  const plan: number[] = [];
  for (let i = 0; i < runs; i++) {
    bare.push(timed(['-e', '0']));
    validate.push(timed([CLI, 'validate', RUNBOOK]));
    plan.push(timed([CLI, 'plan', RUNBOOK]));
  }
  progress(`${runs} runs each of node -e 0, validate, plan`);
  const steps = envCount('BENCH_AWS_STEPS', 40);
  await failoverOverhead(4); // warm up: SDK modules loaded, JIT
  const o = await failoverOverhead(steps);
  progress(`failover of ${steps} steps: phase ${o.phaseMs.toFixed(1)} ms, inside the actions ${o.insideMs.toFixed(1)} ms`);
  return {
    title: 'AWS',
    figures: [
      info('node -e 0, median', `${median(bare).toFixed(1)} ms`),
      info(`lifeboat validate ${RUNBOOK}, median`, `${median(validate).toFixed(1)} ms`),
      atMost('validate (AWS runbook) ÷ node -e 0', median(validate) / median(bare), 2, (v) => `${v.toFixed(2)}×`),
      atMost('plan (AWS runbook) ÷ node -e 0', median(plan) / median(bare), 2, (v) => `${v.toFixed(2)}×`),
      atMost(`engine overhead per step, AWS failover on the fakes (${steps} steps)`, o.perStepMs, 5),
    ],
    notes: [
      `${runs} interleaved runs, built CLI (dist/); the overhead is the failover phase's wall time minus the time spent inside the actions (SDK clients, awsCall, waiters and the fake), per step`,
    ],
  };
}
