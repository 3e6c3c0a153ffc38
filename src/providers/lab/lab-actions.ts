import { z } from 'zod';
import { InvalidInputError } from '../../errors.js';
import { Duration, ms } from '../../util/duration.js';
import type { LabService } from '../../lab/types.js';
import type { ActionContext, ActionDef, Provider } from '../types.js';
import type { LabCapability } from '../../lab/types.js';

/** Fields of a `lab.postgres` resource: a service of the runbook's lab. */
export const LabPostgresResource = z.object({
  service: z.string().describe('Name of a service under lab.services.'),
});

/** The lab service behind a step's target. */
export function labServiceOf(ctx: ActionContext, name = ctx.target?.name): LabService {
  if (!name) throw new InvalidInputError(`step ${ctx.stepId} needs a target`);
  const ref = ctx.resource(name);
  const field = ctx.resourceType(ref.type)?.labServiceField;
  if (!field) throw new InvalidInputError(`resource ${name} is not a lab service`);
  if (!ctx.lab) throw new InvalidInputError(`resource ${name} is a lab service but no lab is running`);
  return ctx.lab.service(String(ref.spec[field]));
}

/** The lab service behind a step's target, which must offer `capability`. */
export function labServiceWith(ctx: ActionContext, capability: LabCapability, name?: string): LabService {
  const svc = labServiceOf(ctx, name);
  if (!svc.capabilities.has(capability)) throw new InvalidInputError(`lab service ${svc.name} (${ctx.lab?.driver} driver) cannot ${capability}`);
  return svc;
}


const killAction: ActionDef<{ signal: 'SIGKILL' | 'SIGTERM' | 'SIGINT' | 'SIGQUIT' }> = {
  name: 'lab.kill',
  description: 'Send a signal (default SIGKILL) to the server and every child process at once, and wait until they are gone.',
  phases: ['fault', 'failover'],
  target: 'required',
  targetCapability: 'lab-service',
  params: z.object({ signal: z.enum(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGQUIT']).default('SIGKILL') }),
  mutates: true,
  async run(ctx, p) {
    const svc = labServiceOf(ctx);
    const pid = svc.pid;
    await svc.kill(p.signal);
    return { pid, signal: p.signal };
  },
  async isDone(ctx) {
    return !labServiceOf(ctx).isRunning();
  },
};

const stopAction: ActionDef<{ grace: string }> = {
  name: 'lab.stop',
  description: 'Stop the server gracefully (fast shutdown), SIGKILL after `grace`.',
  phases: ['fault', 'failover', 'failback'],
  target: 'required',
  targetCapability: 'lab-service',
  params: z.object({ grace: Duration.default('30s') }),
  mutates: true,
  async run(ctx, p) {
    await labServiceOf(ctx).stop(ms(p.grace));
    return undefined;
  },
  async isDone(ctx) {
    return !labServiceOf(ctx).isRunning();
  },
};

const startAction: ActionDef = {
  name: 'lab.start',
  description: 'Start a stopped server again on its data directory and port; waits until it accepts connections.',
  phases: ['failover', 'failback'],
  target: 'required',
  targetCapability: 'lab-service',
  params: z.object({}),
  mutates: true,
  async run(ctx) {
    await labServiceOf(ctx).start(ctx.signal);
    return undefined;
  },
  async isDone(ctx) {
    return labServiceOf(ctx).isRunning();
  },
};

const pauseAction: ActionDef = {
  name: 'lab.pause',
  description: 'Freeze the server: SIGSTOP the postmaster and all its children (clients hang rather than fail).',
  phases: ['fault'],
  target: 'required',
  targetCapability: 'lab-service',
  params: z.object({}),
  mutates: true,
  async run(ctx) {
    await labServiceOf(ctx).pause();
    return undefined;
  },
};

const resumeAction: ActionDef = {
  name: 'lab.resume',
  description: 'Unfreeze a paused server: SIGCONT the postmaster and all its children.',
  phases: ['fault', 'failover', 'failback'],
  target: 'required',
  targetCapability: 'lab-service',
  params: z.object({}),
  mutates: true,
  async run(ctx) {
    await labServiceOf(ctx).unpause();
    return undefined;
  },
};

const NetworkParam = z.object({
  network: z.enum(['replication', 'client']).default('replication').describe('replication: the network between database services (a partition); client: the one that publishes the port (the host loses it too).'),
});

const disconnectAction: ActionDef<{ network: 'replication' | 'client' }> = {
  name: 'lab.disconnect',
  description: 'Cut a lab service off a network (container labs): replication (a partition between the databases) or client (the host loses it too).',
  phases: ['fault', 'failover'],
  target: 'required',
  targetCapability: 'lab-service',
  labCapability: 'disconnect',
  params: NetworkParam,
  mutates: true,
  async run(ctx, p) {
    await labServiceWith(ctx, 'disconnect').disconnect!(p.network);
    return { network: p.network };
  },
};

const reconnectAction: ActionDef<{ network: 'replication' | 'client' }> = {
  name: 'lab.reconnect',
  description: 'Join a lab service to a network again (container labs); its published port may change and probes follow it.',
  phases: ['fault', 'failover', 'failback'],
  target: 'required',
  targetCapability: 'lab-service',
  labCapability: 'disconnect',
  params: NetworkParam,
  mutates: true,
  async run(ctx, p) {
    const svc = labServiceWith(ctx, 'disconnect');
    await svc.reconnect!(p.network);
    return { network: p.network, port: svc.port };
  },
};

/** Lab services as resources, and the process-level faults that act on them. */
export const labProvider: Provider = {
  name: 'lab',
  resourceTypes: [
    {
      type: 'lab.postgres',
      description: 'A PostgreSQL service of the runbook’s lab.',
      fields: LabPostgresResource,
      labServiceField: 'service',
      postgres(ref, ctx) {
        if (!ctx.lab) throw new InvalidInputError(`resource ${ref.name} is a lab service but no lab is running`);
        return [ctx.lab.service(String(ref.spec.service)).connection()];
      },
    },
  ],
  actions: [killAction, stopAction, startAction, pauseAction, resumeAction, disconnectAction, reconnectAction],
  probes: [],
};
