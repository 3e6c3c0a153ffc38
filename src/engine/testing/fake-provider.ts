import pino from 'pino';
import { z } from 'zod';
import { ProviderError } from '../../errors.js';
import { createRegistry, type Registry } from '../../providers/registry.js';
import type { ActionDef, ProviderContext } from '../../providers/types.js';
import { sleep } from '../../util/abort.js';
import { createClock } from '../../timeline/clock.js';
import type { TimelineEvent } from '../../timeline/timeline-event.js';

/** A call an action of the fake provider received. */
export interface FakeCall {
  step: string;
  action: string;
  params: Record<string, unknown>;
  aborted?: boolean;
}

/**
 * A provider for engine tests: `fake.ok` returns its params, `fake.sleep` waits `ms` honouring
 * the signal, `fake.fail` throws (retryable unless `fatal`) `times` times then succeeds.
 */
export function fakeRegistry(calls: FakeCall[], done = new Set<string>()): Registry {
  const failures = new Map<string, number>();
  const ok: ActionDef<{ value?: string }> = {
    name: 'fake.ok',
    description: 'returns its params',
    phases: ['fault', 'failover', 'failback'],
    target: 'none',
    params: z.object({ value: z.string().optional() }),
    mutates: true,
    async run(ctx, p) {
      calls.push({ step: ctx.stepId, action: 'fake.ok', params: p });
      return { value: p.value ?? ctx.stepId };
    },
    async isDone(ctx, p) {
      // Like an action that created something: the output a later step needs is read back.
      return done.has(ctx.stepId) ? { done: true, output: { value: p.value ?? `${ctx.stepId}-found` } } : false;
    },
  };
  const slow: ActionDef<{ ms: number }> = {
    name: 'fake.sleep',
    description: 'sleeps',
    phases: ['fault', 'failover', 'failback'],
    target: 'none',
    params: z.object({ ms: z.number() }),
    mutates: false,
    async run(ctx, p) {
      const call: FakeCall = { step: ctx.stepId, action: 'fake.sleep', params: p };
      calls.push(call);
      try {
        await sleep(p.ms, ctx.signal);
      } catch (err) {
        call.aborted = true;
        throw err;
      }
      return undefined;
    },
  };
  const fail: ActionDef<{ times: number; fatal: boolean }> = {
    name: 'fake.fail',
    description: 'fails `times` times',
    phases: ['fault', 'failover', 'failback'],
    target: 'none',
    params: z.object({ times: z.number().default(1000), fatal: z.boolean().default(false) }),
    mutates: true,
    async run(ctx, p) {
      calls.push({ step: ctx.stepId, action: 'fake.fail', params: p });
      const n = (failures.get(ctx.stepId) ?? 0) + 1;
      failures.set(ctx.stepId, n);
      if (n <= p.times) throw new ProviderError(`failure ${n} of ${ctx.stepId}`, { retryable: !p.fatal });
      return { after: n };
    },
  };
  return createRegistry([{ name: 'fake', resourceTypes: [], actions: [ok, slow, fail], probes: [] }]);
}

/** A provider context with a real clock, a silent logger and no lab. */
export function fakeContext(events: TimelineEvent[] = []): ProviderContext {
  return {
    runId: 'test-run',
    clock: createClock(),
    log: pino({ level: 'silent' }),
    resource: (name) => ({ name, type: 'tcp', spec: {} }),
    resourceType: () => undefined,
    record: (e) => events.push(e),
  };
}
