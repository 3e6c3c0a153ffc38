import { redactText } from '../log.js';
import { isParallel, type ActionStep, type PhaseItem, type Runbook } from '../runbook/types.js';
import type { RunResult, StepSummary } from '../verify/run-result.js';

/**
 * What a run result says about its runbook beside the measurements: description, owner and
 * labels, for reports. Masked like every other text that leaves Lifeboat.
 */
export function runbookAbout(runbook: Runbook): Pick<RunResult, 'description' | 'owner' | 'labels'> {
  return {
    ...(runbook.description !== undefined ? { description: redactText(runbook.description) } : {}),
    ...(runbook.owner !== undefined ? { owner: redactText(runbook.owner) } : {}),
    ...(runbook.labels ? { labels: Object.fromEntries(Object.entries(runbook.labels).map(([k, v]) => [k, redactText(v)])) } : {}),
  };
}

/** The step summaries with each step's runbook `description` (compensation steps included). */
export function withStepDescriptions(steps: StepSummary[], runbook: Runbook): StepSummary[] {
  const descriptions = new Map<string, string>();
  const add = (s: ActionStep) => {
    if (s.description !== undefined) descriptions.set(s.id, s.description);
    if (s.compensate) add(s.compensate);
  };
  const items: PhaseItem[] = [...runbook.fault, ...runbook.failover, ...runbook.failback];
  for (const item of items) for (const s of isParallel(item) ? item.parallel : [item]) add(s);
  return steps.map((s) => {
    const d = descriptions.get(s.id);
    return d === undefined ? s : { ...s, description: redactText(d) };
  });
}
