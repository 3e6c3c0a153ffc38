import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { atMost, info, type BenchReport } from './support/bench-report.js';
import { envCount, median } from './support/stats.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist/cli/main.js');

/** Wall time of one process, in ms. */
function timed(args: string[]): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0 && r.status !== 2) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return performance.now() - t;
}

/** Packages (CommonJS) a command loads, from the preload hook the tests use too. */
function packagesLoaded(args: string[]): string[] {
  const r = spawnSync(process.execPath, ['--import', join(ROOT, 'test/support/report-loaded-modules.mjs'), CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
  const m = /LOADED-PACKAGES (.*)/.exec(r.stderr);
  return m ? (JSON.parse(m[1]!) as string[]) : [];
}

/** Cold start of the built CLI against a bare node, measured in the same run; what `validate` loads. */
export async function cliStartupBench(progress: (line: string) => void): Promise<BenchReport> {
  if (!existsSync(CLI)) throw new Error('dist/cli/main.js is missing: run `npm run build` first');
  const runs = envCount('BENCH_STARTUP_RUNS', 15);
  const bare: number[] = [];
  const help: number[] = [];
  const validate: number[] = [];
  // Interleaved, so that a burst of load on the machine hits all three alike.
  for (let i = 0; i < runs; i++) {
    bare.push(timed(['-e', '0']));
    help.push(timed([CLI, '--help']));
    validate.push(timed([CLI, 'validate', 'runbooks/local-postgres-failover.yaml']));
  }
  progress(`${runs} runs each`);
  const ratio = median(help) / median(bare);
  const heavy = packagesLoaded(['validate', 'runbooks/local-postgres-failover.yaml']).filter((p) => ['pg', 'better-sqlite3'].includes(p) || p.startsWith('@aws-sdk/'));
  return {
    title: 'CLI cold start',
    figures: [
      info('node -e 0, median', `${median(bare).toFixed(1)} ms`),
      info('lifeboat --help, median', `${median(help).toFixed(1)} ms`),
      atMost('--help cold start ÷ node -e 0', ratio, 2, (v) => `${v.toFixed(2)}×`),
      info('lifeboat validate (quick start), median', `${median(validate).toFixed(1)} ms`),
      { figure: 'validate loads pg / SQLite / cloud SDK', measured: heavy.length ? heavy.join(', ') : 'none', target: 'none', within: heavy.length === 0 },
    ],
    notes: [`${runs} interleaved runs of each command, built CLI (dist/)`],
  };
}
