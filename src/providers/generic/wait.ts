import { z } from 'zod';
import { Duration, ms } from '../../util/duration.js';
import { sleep } from '../../util/abort.js';
import type { ActionDef } from '../types.js';

const WaitParams = z.object({ duration: Duration.describe('How long to wait.') });

/** `wait`: pause the phase for a duration (honours abort). */
export const waitAction: ActionDef<z.output<typeof WaitParams>> = {
  name: 'wait',
  description: 'Wait for a duration.',
  phases: ['fault', 'failover', 'failback'],
  target: 'none',
  params: WaitParams,
  mutates: false,
  async run(ctx, p) {
    await sleep(ms(p.duration), ctx.signal);
    return undefined;
  },
};
