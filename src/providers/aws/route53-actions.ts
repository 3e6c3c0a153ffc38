import { z } from 'zod';
import { ProviderError } from '../../errors.js';
import type { ActionContext, ActionDef } from '../types.js';
import { awsSession, requireTarget, targetOf, waitUntil, what } from './aws-session.js';

/** The record's current values (the first record set at its name and type). */
async function currentValues(ctx: ActionContext, name: string): Promise<string[] | undefined> {
  const s = awsSession(ctx);
  const ref = requireTarget(ctx);
  const r53 = await import('@aws-sdk/client-route-53');
  const out = await s.call(
    'route53',
    targetOf(ref),
    new r53.ListResourceRecordSetsCommand({ HostedZoneId: String(ref.spec.zoneId), StartRecordName: String(ref.spec.name), StartRecordType: String(ref.spec.recordType ?? 'CNAME') as never, MaxItems: 1 }),
    what(name, ref),
    ctx.signal,
  );
  const set = out.ResourceRecordSets?.[0];
  const norm = (n: string) => n.replace(/\.$/, '');
  if (!set || norm(set.Name) !== norm(String(ref.spec.name)) || set.Type !== (ref.spec.recordType ?? 'CNAME')) return undefined;
  return (set.ResourceRecords ?? []).map((r: any) => r.Value as string);
}

export const changeRecord: ActionDef<{ value: string; ttl: number }> = {
  name: 'aws.route53.change-record',
  description: 'Repoints a Route 53 record (UPSERT) to a new value, e.g. ${steps.promote.endpoint}; done when the change is INSYNC.',
  phases: ['failover', 'failback'],
  target: 'required',
  targetTypes: ['aws.route53.record'],
  params: z.object({ value: z.string().min(1).describe('New value of the record.'), ttl: z.int().min(0).default(60).describe('TTL in seconds.') }),
  mutates: true,
  permissions: ['route53:ChangeResourceRecordSets', 'route53:GetChange', 'route53:ListResourceRecordSets'],
  async run(ctx, p) {
    const s = awsSession(ctx);
    const ref = requireTarget(ctx);
    const w = what(this.name, ref);
    const r53 = await import('@aws-sdk/client-route-53');
    const out = await s.call(
      'route53',
      targetOf(ref),
      new r53.ChangeResourceRecordSetsCommand({
        HostedZoneId: String(ref.spec.zoneId),
        ChangeBatch: {
          Comment: `lifeboat run ${ctx.runId} step ${ctx.stepId}`,
          Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: String(ref.spec.name), Type: String(ref.spec.recordType ?? 'CNAME') as never, TTL: p.ttl, ResourceRecords: [{ Value: p.value }] } }],
        },
      }),
      w,
      ctx.signal,
    );
    const changeId = out.ChangeInfo?.Id as string | undefined;
    if (!changeId) throw new ProviderError(`${w}: Route 53 returned no change id`);
    await waitUntil({
      what: w,
      until: `change ${changeId} to be INSYNC`,
      signal: ctx.signal,
      intervalMs: s.pollIntervalMs,
      poll: async () => {
        const c = await s.call('route53', targetOf(ref), new r53.GetChangeCommand({ Id: changeId }), w, ctx.signal);
        return c.ChangeInfo?.Status === 'INSYNC' ? true : undefined;
      },
    });
    return { changeId, value: p.value };
  },
  async isDone(ctx, p) {
    const values = await currentValues(ctx, this.name);
    return values?.length === 1 && values[0] === p.value ? { done: true, output: { value: p.value } } : false;
  },
};

export const route53Actions = [changeRecord];
