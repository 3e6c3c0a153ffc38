import { planRun, type RunMode, type RunPlan } from '../../engine/plan.js';
import { defaultRegistry } from '../default-registry.js';
import { loadRunbook } from '../../runbook/load.js';
import { redactValue } from '../../log.js';
import { formatDuration } from '../../util/duration.js';
import { EXIT } from '../exit-codes.js';
import { out, outJson } from '../output.js';

/** `lifeboat plan`: what a run would do, in order; touches nothing. */
export async function planCommand(file: string, opts: { mode: RunMode; json?: boolean }): Promise<number> {
  const registry = defaultRegistry();
  const { runbook } = await loadRunbook(file, registry);
  const plan = redactValue(planRun(runbook, opts.mode, registry));
  if (opts.json) {
    outJson(plan);
    return EXIT.OK;
  }
  printPlan(plan);
  return EXIT.OK;
}

/** Prints a plan for people (also the first half of `--dry-run`). */
export function printPlan(plan: RunPlan): void {
  out(`Plan for ${plan.runbook} (${plan.mode})`);
  const obj = [plan.objectives.rtoMs !== undefined ? `RTO ${formatDuration(plan.objectives.rtoMs)}` : '', plan.objectives.rpoMs !== undefined ? `RPO ${formatDuration(plan.objectives.rpoMs)}` : '']
    .filter(Boolean)
    .join(', ');
  out(`  objectives: ${obj}`);
  if (plan.lab) out(`  lab: ${plan.lab.driver} (${plan.lab.services.join(', ')}) started before, removed after`);
  if (plan.probes.length) out(`  probes: ${plan.probes.join(', ')}`);
  if (plan.stopWhen?.length) out(`  stop conditions (status stopped, exit 3; a drill fails back) when any of these fails during fault or failover: ${plan.stopWhen.join(', ')}`);
  if (plan.recovery) out(`  recovered when ${plan.recovery.all.join(' + ')} succeed for ${formatDuration(plan.recovery.stableForMs)} (give up after ${formatDuration(plan.recovery.timeoutMs)})`);
  let n = 0;
  for (const phase of plan.phases) {
    out(`\n${phase.phase}:${phase.steps.length ? '' : ' (no steps)'}`);
    for (const s of phase.steps) {
      n++;
      const flags = [
        s.mutating ? 'MUTATES' : 'read-only',
        `timeout ${formatDuration(s.timeoutMs)}`,
        s.maxAttempts > 1 ? `${s.maxAttempts} attempts` : '',
        s.group ? `parallel:${s.group}` : '',
        s.onFailure === 'continue' ? 'continue on failure' : '',
      ].filter(Boolean);
      out(`  ${n}. ${s.id}: ${s.action}${s.target ? ` → ${s.target}` : ''}  [${flags.join(', ')}]`);
      if (s.action === 'manual') out(`     waits for an operator (type yes, or lifeboat approve <run-id> ${s.id}): ${String(s.params.instructions)}`);
      if (s.compensate) out(`     compensate: ${s.compensate.id}: ${s.compensate.action}${s.compensate.target ? ` → ${s.compensate.target}` : ''}`);
    }
  }
}
