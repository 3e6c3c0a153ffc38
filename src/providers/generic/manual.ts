import { z } from 'zod';
import { InfrastructureError } from '../../errors.js';
import type { ActionContext, ActionDef, StepOutput } from '../types.js';

const ManualParams = z.object({
  instructions: z.string().min(1).describe('What the operator must do (or check) before confirming, shown while the run waits.'),
});
export type ManualParams = z.output<typeof ManualParams>;

function approvalsOf(ctx: ActionContext) {
  if (!ctx.approvals) throw new InfrastructureError(`step ${ctx.stepId}: manual steps need a run that can wait for an operator`);
  return ctx.approvals;
}

/**
 * `manual`: the run pauses until an operator confirms the step — typed at the run's terminal, or
 * `lifeboat approve <run-id> <step-id>` from another shell. The step's `timeout` bounds the wait;
 * when it expires the step fails and its `onFailure` decides (abort: failback runs; continue).
 */
export const manualAction: ActionDef<ManualParams> = {
  name: 'manual',
  description: 'Pause until an operator confirms (typed at the terminal, or `lifeboat approve <run-id> <step-id>`); bounded by the step timeout.',
  phases: ['fault', 'failover', 'failback'],
  target: 'optional',
  params: ManualParams,
  // A person changes something real while the run waits: journaled as a mutating step.
  mutates: true,
  async run(ctx, p): Promise<StepOutput> {
    const a = await approvalsOf(ctx).wait(ctx.stepId, p.instructions, ctx.signal);
    return { confirmedBy: a.by, confirmedAt: new Date(a.at).toISOString() };
  },
  // A resumed run waits again only if nobody confirmed the step (also while no run was alive).
  async isDone(ctx) {
    const a = approvalsOf(ctx).find(ctx.stepId);
    return a ? { done: true, output: { confirmedBy: a.by, confirmedAt: new Date(a.at).toISOString() } } : false;
  },
};
