import { z } from 'zod';
import { ProviderError, messageOf } from '../../errors.js';
import type { ActionDef } from '../types.js';
import { awsSession, waitUntil, what, type AwsSession } from './aws-session.js';

type FisParams = { templateId: string; region?: string; waitFor: 'running' | 'completed' };

const ENDED = new Set(['completed', 'stopped', 'failed', 'cancelled']);

/** Stops an experiment this run started (on abort, and at run end for one still running). */
export async function stopExperiment(s: AwsSession, region: string | undefined, id: string): Promise<void> {
  const fis = await import('@aws-sdk/client-fis');
  await s.call('fis', region ? { region } : {}, new fis.StopExperimentCommand({ id }), `aws.fis.start-experiment: stopping experiment ${id}`);
}

export const fisStartExperiment: ActionDef<FisParams> = {
  name: 'aws.fis.start-experiment',
  description:
    'Fault: starts an AWS FIS experiment from a template (which must carry the allow tag); done when it runs (or, with waitFor: completed, when it ended). Stopped if the run is interrupted or ends while it runs. FIS injects; Lifeboat measures.',
  phases: ['fault'],
  target: 'none',
  params: z.object({
    templateId: z.string().regex(/^EXT[A-Za-z0-9]+$|^\$\{.+\}$/, { message: 'expected an experiment template id such as EXT1a2b3c4d' }).describe('FIS experiment template id.'),
    region: z.string().optional().describe('Region of the template (default --region / AWS_REGION).'),
    waitFor: z.enum(['running', 'completed']).default('running').describe('running: the fault step ends once the experiment runs; completed: once it ended.'),
  }),
  mutates: true,
  permissions: ['fis:StartExperiment', 'fis:GetExperiment', 'fis:StopExperiment', 'fis:GetExperimentTemplate', 'fis:TagResource', 'fis:ListExperiments'],
  async run(ctx, p) {
    const s = awsSession(ctx);
    const fis = await import('@aws-sdk/client-fis');
    const t = p.region ? { region: p.region } : {};
    const w = what(this.name, undefined) + ` (template ${p.templateId})`;
    const out = await s.call('fis', t, new fis.StartExperimentCommand({ experimentTemplateId: p.templateId, clientToken: `${ctx.runId}-${ctx.stepId}`.slice(0, 64), tags: { 'lifeboat:run': ctx.runId } }), w, ctx.signal);
    const id = out.experiment?.id as string | undefined;
    if (!id) throw new ProviderError(`${w}: FIS returned no experiment id`);
    s.experiments.set(id, p.region);
    try {
      const state = await waitUntil({
        what: w,
        until: `experiment ${id} to be ${p.waitFor}`,
        signal: ctx.signal,
        intervalMs: s.pollIntervalMs,
        poll: async () => {
          const e = await s.call('fis', t, new fis.GetExperimentCommand({ id }), w, ctx.signal);
          const st = e.experiment?.state?.status as string | undefined;
          if (st === 'failed' || st === 'cancelled' || (st === 'stopped' && p.waitFor === 'running'))
            throw new ProviderError(`${w}: experiment ${id} ${st}: ${e.experiment?.state?.reason ?? 'no reason given'}`, { retryable: false });
          if (p.waitFor === 'running' ? st === 'running' || st === 'completed' : ENDED.has(st ?? '')) return st;
          return undefined;
        },
      });
      if (ENDED.has(state)) s.experiments.delete(id);
      return { experimentId: id, state };
    } catch (err) {
      // Interrupted or timed out: an experiment left running would keep injecting faults.
      if (ctx.signal.aborted) {
        await stopExperiment(s, p.region, id).then(
          () => s.experiments.delete(id),
          (e: unknown) => ctx.log.error({ experiment: id, err: messageOf(e) }, 'could not stop the FIS experiment'),
        );
      }
      throw err;
    }
  },
  /**
   * On resume: an experiment this run started (tagged with the run id) is the fault already in
   * place; it is adopted, so the run's end stops it if it still runs.
   */
  async isDone(ctx, p) {
    const s = awsSession(ctx);
    const fis = await import('@aws-sdk/client-fis');
    const t = p.region ? { region: p.region } : {};
    let token: string | undefined;
    do {
      const out = await s.call('fis', t, new fis.ListExperimentsCommand({ ...(token ? { nextToken: token } : {}) }), what(this.name, undefined), ctx.signal);
      for (const e of out.experiments ?? []) {
        if (e.tags?.['lifeboat:run'] !== ctx.runId || e.experimentTemplateId !== p.templateId || !e.id) continue;
        const st = e.state?.status as string | undefined;
        if (!ENDED.has(st ?? '')) s.experiments.set(e.id, p.region);
        if (st === 'running' || (p.waitFor === 'completed' && st === 'completed')) return { done: true, output: { experimentId: e.id, state: st } };
      }
      token = out.nextToken;
    } while (token);
    return false;
  },
};
