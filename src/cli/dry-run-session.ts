import type { Logger } from 'pino';
import { dryRunDrill } from '../engine/dry-run.js';
import type { RunOptions } from '../engine/run-drill.js';
import { redactText, redactValue } from '../log.js';
import { EXIT } from './exit-codes.js';
import { out, outJson } from './output.js';
import { printPlan } from './commands/plan-command.js';

/**
 * `drill|failover --dry-run`: preflight and plan, no mutating call. Exit 0 when the preflight
 * found nothing, 3 when it found problems (the run would stop there). Nothing is recorded.
 */
export async function dryRunSession(base: Pick<RunOptions, 'loaded' | 'registry' | 'mode' | 'settings'> & { log: Logger }, opts: { json?: boolean }): Promise<number> {
  const r = await dryRunDrill(base);
  const ok = r.problems.length === 0;
  if (opts.json) {
    outJson(redactValue({ dryRun: true, preflight: ok ? 'passed' : 'failed', problems: r.problems, plan: r.plan }));
  } else {
    printPlan(redactValue(r.plan));
    out(`\npreflight: ${ok ? 'passed (read-only checks; nothing was changed)' : 'FAILED'}`);
    for (const p of r.problems) out(`  ✘ ${p.resource}: ${redactText(p.message)}`);
    out('dry run: no lab, no probe, no step ran');
  }
  return ok ? EXIT.OK : EXIT.INCOMPLETE;
}
