import { z } from 'zod';
import { ProviderError } from '../../errors.js';
import type { ResourceRef, ResourceTypeDef } from '../types.js';
import { awsCommon } from './aws-fields.js';
import { targetOf, type AwsSession } from './aws-session.js';

/** `aws.ec2.instance`: one instance, by id or by tags (exactly one of the two). */
export const ec2InstanceType: ResourceTypeDef = {
  type: 'aws.ec2.instance',
  description: 'An EC2 instance, by `id` or by `tags` (exactly one of them; tags must match exactly one running or stopped instance).',
  fields: z.object({
    id: z
      .string()
      .regex(/^i-[0-9a-f]{8,17}$|^\$\{.+\}$/, { message: 'expected an instance id such as i-0abc1234' })
      .optional()
      .describe('Instance id.'),
    tags: z.record(z.string(), z.string()).optional().describe('Tags that identify exactly one instance, e.g. { Name: orders-app-1 }.'),
    ...awsCommon,
  }),
  validate(spec) {
    const n = (spec.id !== undefined ? 1 : 0) + (spec.tags !== undefined ? 1 : 0);
    return n === 1 ? [] : [{ path: n === 0 ? 'id' : 'tags', message: 'give exactly one of id or tags' }];
  },
};

/** Finds the instance a resource stands for (by id, or the one instance its tags match). Paginated. */
export async function findInstance(session: AwsSession, ref: ResourceRef, what: string, signal?: AbortSignal): Promise<any> {
  const ec2 = await import('@aws-sdk/client-ec2');
  const found: any[] = [];
  const input: Record<string, unknown> = ref.spec.id
    ? { InstanceIds: [ref.spec.id] }
    : {
        Filters: [
          ...Object.entries(ref.spec.tags as Record<string, string>).map(([k, v]) => ({ Name: `tag:${k}`, Values: [v] })),
          { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
        ],
      };
  let token: string | undefined;
  do {
    const out = await session.call('ec2', targetOf(ref), new ec2.DescribeInstancesCommand({ ...input, ...(token ? { NextToken: token } : {}) }), what, signal);
    for (const r of out.Reservations ?? []) found.push(...(r.Instances ?? []));
    token = out.NextToken;
  } while (token);
  if (found.length === 0) throw new ProviderError(`${what}: no instance matches ${ref.spec.id ? `id ${String(ref.spec.id)}` : `tags ${JSON.stringify(ref.spec.tags)}`}`, { retryable: false });
  if (found.length > 1) throw new ProviderError(`${what}: tags match ${found.length} instances (${found.map((i) => i.InstanceId).join(', ')}); they must name exactly one`, { retryable: false });
  return found[0];
}
