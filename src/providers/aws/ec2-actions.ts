import { z } from 'zod';
import { ProviderError } from '../../errors.js';
import type { ActionContext, ActionDef } from '../types.js';
import { awsSession, requireTarget, targetOf, waitUntil, what } from './aws-session.js';
import { findInstance } from './ec2-resources.js';

const ALL = ['fault', 'failover', 'failback'] as const;
const DESCRIBE = 'ec2:DescribeInstances';

/** Runs one state change on the target instance and waits until EC2 reports the state it leads to. */
async function changeState(ctx: ActionContext, name: string, command: 'StartInstancesCommand' | 'StopInstancesCommand' | 'RebootInstancesCommand', settled: string, extra: Record<string, unknown> = {}) {
  const s = awsSession(ctx);
  const ref = requireTarget(ctx);
  const w = what(name, ref);
  const ec2 = await import('@aws-sdk/client-ec2');
  const instance = await findInstance(s, ref, w, ctx.signal);
  const id = instance.InstanceId as string;
  const Command = ec2[command] as new (input: object) => object;
  await s.call('ec2', targetOf(ref), new Command({ InstanceIds: [id], ...extra }), w, ctx.signal);
  // A reboot keeps the state `running`: it is done when EC2 answers again with the instance running.
  const done = await waitUntil({
    what: w,
    until: `instance ${id} to be ${settled}`,
    signal: ctx.signal,
    intervalMs: s.pollIntervalMs,
    poll: async () => {
      const i = await findInstance(s, { ...ref, spec: { ...ref.spec, id, tags: undefined } }, w, ctx.signal);
      return i.State?.Name === settled ? i : undefined;
    },
  });
  return { instanceId: id, state: done.State?.Name, availabilityZone: done.Placement?.AvailabilityZone, privateIp: done.PrivateIpAddress };
}

async function inState(ctx: ActionContext, name: string, state: string) {
  const i = await findInstance(awsSession(ctx), requireTarget(ctx), what(name, ctx.target), ctx.signal);
  return i.State?.Name === state;
}

export const ec2Stop: ActionDef<{ force: boolean }> = {
  name: 'aws.ec2.stop',
  description: 'Stops an EC2 instance (as a fault: a simulated loss of its zone); done when it is stopped.',
  phases: ALL,
  target: 'required',
  targetTypes: ['aws.ec2.instance'],
  params: z.object({ force: z.boolean().default(false).describe('Force the stop (no clean OS shutdown), like a power loss.') }),
  mutates: true,
  permissions: ['ec2:StopInstances', DESCRIBE],
  run(ctx, p) {
    return changeState(ctx, this.name, 'StopInstancesCommand', 'stopped', { Force: p.force });
  },
  isDone(ctx) {
    return inState(ctx, this.name, 'stopped');
  },
};

export const ec2Start: ActionDef = {
  name: 'aws.ec2.start',
  description: 'Starts an EC2 instance; done when it is running.',
  phases: ALL,
  target: 'required',
  targetTypes: ['aws.ec2.instance'],
  params: z.object({}),
  mutates: true,
  permissions: ['ec2:StartInstances', DESCRIBE],
  run(ctx) {
    return changeState(ctx, this.name, 'StartInstancesCommand', 'running');
  },
  isDone(ctx) {
    return inState(ctx, this.name, 'running');
  },
};

export const ec2Reboot: ActionDef = {
  name: 'aws.ec2.reboot',
  description: 'Reboots an EC2 instance; done when EC2 reports it running again.',
  phases: ALL,
  target: 'required',
  targetTypes: ['aws.ec2.instance'],
  params: z.object({}),
  mutates: true,
  permissions: ['ec2:RebootInstances', DESCRIBE],
  run(ctx) {
    return changeState(ctx, this.name, 'RebootInstancesCommand', 'running');
  },
};

type LaunchParams = { imageId: string; instanceType: string; subnetId?: string; securityGroupIds?: string[]; region?: string; tags: Record<string, string> };

export const ec2Launch: ActionDef<LaunchParams> = {
  name: 'aws.ec2.launch',
  description: 'Launches an instance from an AMI already copied to the region (AMIs are regional); outputs instanceId, privateIp, availabilityZone. Idempotent per run and step.',
  phases: ['failover', 'failback'],
  target: 'optional',
  targetTypes: ['aws.ec2.instance'],
  params: z.object({
    imageId: z.string().regex(/^ami-[0-9a-f]{8,17}$|^\$\{.+\}$/, { message: 'expected an AMI id such as ami-0abc1234' }).describe('AMI in the launch region.'),
    instanceType: z.string().min(1).describe('Instance type, e.g. t3.micro.'),
    subnetId: z.string().optional().describe('Subnet (picks the zone).'),
    securityGroupIds: z.array(z.string()).optional(),
    region: z.string().optional().describe('Region to launch in (default: the target resource’s, else --region).'),
    tags: z.record(z.string(), z.string()).default({}).describe('Tags of the new instance.'),
  }),
  mutates: true,
  permissions: ['ec2:RunInstances', 'ec2:CreateTags', DESCRIBE, 'ec2:DescribeImages'],
  async run(ctx, p) {
    const s = awsSession(ctx);
    const ec2 = await import('@aws-sdk/client-ec2');
    const t = { ...(ctx.target ? targetOf(ctx.target) : {}), ...(p.region ? { region: p.region } : {}) };
    const w = what(this.name, ctx.target);
    // The client token makes a retried or resumed launch return the instance of the first one.
    const token = `${ctx.runId}-${ctx.stepId}`.slice(0, 64);
    const out = await s.call(
      'ec2',
      t,
      new ec2.RunInstancesCommand({
        ImageId: p.imageId,
        InstanceType: p.instanceType as never,
        MinCount: 1,
        MaxCount: 1,
        ClientToken: token,
        ...(p.subnetId ? { SubnetId: p.subnetId } : {}),
        ...(p.securityGroupIds ? { SecurityGroupIds: p.securityGroupIds } : {}),
        TagSpecifications: [{ ResourceType: 'instance', Tags: Object.entries({ ...p.tags, 'lifeboat:run': ctx.runId }).map(([Key, Value]) => ({ Key, Value })) }],
      }),
      w,
      ctx.signal,
    );
    const id = out.Instances?.[0]?.InstanceId as string | undefined;
    if (!id) throw new ProviderError(`${w}: RunInstances returned no instance`);
    const i = await waitUntil({
      what: w,
      until: `instance ${id} to be running`,
      signal: ctx.signal,
      intervalMs: s.pollIntervalMs,
      poll: async () => {
        const r = await s.call('ec2', t, new ec2.DescribeInstancesCommand({ InstanceIds: [id] }), w, ctx.signal);
        const i = r.Reservations?.[0]?.Instances?.[0];
        return i?.State?.Name === 'running' ? i : undefined;
      },
    });
    return { instanceId: id, privateIp: i.PrivateIpAddress, availabilityZone: i.Placement?.AvailabilityZone };
  },
};

export const ec2Actions = [ec2Stop, ec2Start, ec2Reboot, ec2Launch];
