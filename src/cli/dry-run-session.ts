import type { Logger } from 'pino';
import { dryRunDrill } from '../engine/dry-run.js';
import type { RunOptions } from '../engine/run-drill.js';
import { redactText, redactValue } from '../log.js';
import { EXIT } from './exit-codes.js';
import { out, outJson } from './output.js';
import { printPlan } from './commands/plan-command.js';

/**
 * `drill|failover --dry-run`: preflight and plan, no mutating call. Exit 0 when the preflight
 * found nothing, 3 when it found problems (a drill would stop there); a failover's problems are
 * reported with exit 0 (a real failover goes on through them). Nothing is recorded.
 */
export async function dryRunSession(base: Pick<RunOptions, 'loaded' | 'registry' | 'mode' | 'settings'> & { log: Logger }, opts: { json?: boolean }): Promise<number> {
  const r = await dryRunDrill(base);
  const ok = r.problems.length === 0;
  // A real failover goes on through preflight problems (the primary is down): so does its dry run.
  const failover = (base.mode ?? 'drill') === 'failover';
  if (opts.json) {
    outJson(redactValue({ dryRun: true, mode: base.mode ?? 'drill', preflight: ok ? 'passed' : failover ? 'problems' : 'failed', problems: r.problems, plan: r.plan }));
  } else {
    printPlan(redactValue(r.plan));
    out(`\npreflight: ${ok ? 'passed (read-only checks; nothing was changed)' : failover ? 'problems (expected in an outage; a real failover goes on through them)' : 'FAILED'}`);
    for (const p of r.problems) out(`  ✘ ${p.resource}: ${redactText(p.message)}`);
    out('dry run: no lab, no probe, no step ran');
  }
  return ok || failover ? EXIT.OK : EXIT.INCOMPLETE;
}
