// Runs the benchmarks in sequence and prints their figures: `npm run bench [-- <name filter>]`.
// Benchmarks are not pass/fail: a figure outside its target is printed as such; the exit code is
// non-zero only when a benchmark crashes (or the filter matches none).
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { messageOf } from '../src/errors.js';
import { renderTable, type Bench } from './support/bench-report.js';

const BENCHES: Bench[] = [
  { name: 'cli-startup', run: async (p) => (await import('./cli-startup.bench.js')).cliStartupBench(p) },
  { name: 'engine', run: async (p) => (await import('./engine.bench.js')).engineBench(p) },
  { name: 'rto-exec-fault', run: async (p) => (await import('./rto-exec-fault.bench.js')).rtoExecFaultBench(p) },
  { name: 'rto-accuracy', run: async (p) => (await import('./rto-accuracy.bench.js')).rtoAccuracyBench(p) },
  { name: 'lab-drivers', run: async (p) => (await import('./lab-drivers.bench.js')).labDriversBench(p) },
  { name: 'local-failover', run: async (p) => (await import('./local-failover.bench.js')).localFailoverBench(p) },
  { name: 'status', run: async (p) => (await import('./status.bench.js')).statusBench(p) },
  { name: 'backups-classify', run: async (p) => (await import('./backups-classify.bench.js')).backupsClassifyBench(p) },
  { name: 'aws', run: async (p) => (await import('./aws.bench.js')).awsBench(p) },
];

const filter = process.argv[2];
const selected = BENCHES.filter((b) => filter === undefined || b.name.includes(filter));
if (selected.length === 0) {
  console.error(`no benchmark matches "${filter}"; benchmarks: ${BENCHES.map((b) => b.name).join(', ')}`);
  process.exit(2);
}

// Other work on the machine skews every figure: say how busy it was.
function load(): string {
  let pressure = '';
  try {
    const some = /some avg10=[\d.]+ avg60=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    if (some) pressure = `, CPU pressure ${some[1]}% over 60 s`;
  } catch {
    // no PSI on this kernel
  }
  return `load average ${loadavg()[0]!.toFixed(2)} on ${availableParallelism()} cores${pressure}`;
}

const crashed: string[] = [];
for (const bench of selected) {
  const started = performance.now();
  const progress = (line: string) => console.error(`  [${bench.name}] ${line}`);
  console.error(`▶ ${bench.name}`);
  const loadBefore = load();
  try {
    const report = await bench.run(progress);
    console.log(`\n## ${bench.name}: ${report.title} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
    console.log(renderTable(report.figures));
    const notes = [...report.notes, `machine: ${loadBefore} before, ${load()} after`];
    console.log(`\n${notes.map((n) => `- ${n}`).join('\n')}`);
    console.log('');
  } catch (err) {
    crashed.push(bench.name);
    console.error(`✘ ${bench.name} crashed: ${err instanceof Error ? (err.stack ?? err.message) : messageOf(err)}`);
  }
}
if (crashed.length) {
  console.error(`crashed: ${crashed.join(', ')}`);
  process.exitCode = 1;
}
