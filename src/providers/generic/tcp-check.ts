import { connect } from 'node:net';
import { z } from 'zod';
import { ProviderError, messageOf } from '../../errors.js';
import type { ActionDef, ProbeDef, ResourceRef, StepOutput } from '../types.js';

const TcpParams = z.object({
  host: z.string().optional().describe('Host to connect to; or name a `tcp` resource as target.'),
  port: z.int().min(1).max(65535).optional(),
});
export type TcpParams = z.output<typeof TcpParams>;

/** The `tcp` resource: a host and port. */
export const TcpResource = z.object({
  host: z.string().default('127.0.0.1'),
  port: z.int().min(1).max(65535),
});

/** Opens (and closes) one TCP connection; throws when it cannot. */
export function tcpConnect(p: TcpParams, signal: AbortSignal, target?: ResourceRef): Promise<void> {
  const host = p.host ?? (target?.spec.host as string | undefined) ?? '127.0.0.1';
  const port = p.port ?? (target?.spec.port as number | undefined);
  if (!port) return Promise.reject(new ProviderError('tcp check needs a port or a tcp target', { retryable: false }));
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const sock = connect({ host, port });
    const onAbort = () => {
      sock.destroy();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    sock.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      sock.destroy();
      resolve();
    });
    sock.once('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      sock.destroy();
      reject(new ProviderError(`tcp ${host}:${port}: ${err.message}`, { cause: err }));
    });
  });
}

/** `tcp` action: succeeds when a TCP connection opens. */
export const tcpAction: ActionDef<TcpParams> = {
  name: 'tcp',
  description: 'Open a TCP connection; fails if it cannot.',
  phases: ['fault', 'failover', 'failback'],
  target: 'optional',
  targetTypes: ['tcp'],
  params: TcpParams,
  mutates: false,
  async run(ctx, p): Promise<StepOutput> {
    await tcpConnect(p, ctx.signal, ctx.target);
    return undefined;
  },
};

/** `tcp` probe: healthy while a TCP connection opens. */
export const tcpProbe: ProbeDef<TcpParams> = {
  type: 'tcp',
  description: 'Healthy while a TCP connection to host:port opens.',
  targets: 'target',
  targetTypes: ['tcp'],
  params: TcpParams,
  create(ctx, p) {
    const target = ctx.endpoints[0];
    return {
      async check(signal) {
        try {
          await tcpConnect(p, signal, target);
          return { ok: true, endpoint: target?.name };
        } catch (err) {
          return { ok: false, error: messageOf(err), endpoint: target?.name };
        }
      },
      async close() {},
    };
  },
};
