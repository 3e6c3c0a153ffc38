import { z } from 'zod';
import { ProviderError, messageOf } from '../../errors.js';
import { StringMap } from '../../util/duration.js';
import type { ActionDef, ProbeDef, ResourceRef, StepOutput } from '../types.js';

const HttpParams = z.object({
  url: z.string().optional().describe('URL to request; or name an `http` resource as target/endpoints.'),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH']).default('GET'),
  headers: StringMap.optional().describe('Request headers (values may use ${env:NAME}; never logged).'),
  body: z.string().optional(),
  expectStatus: z.array(z.int().min(100).max(599)).optional().describe('Statuses that count as success (default: any 2xx or 3xx).'),
});
export type HttpParams = z.output<typeof HttpParams>;

/** The `http` resource: a URL and optional headers. */
export const HttpResource = z.object({
  url: z.string().describe('Base URL of the service.'),
  headers: StringMap.optional(),
});

function urlOf(p: HttpParams, target?: ResourceRef): string {
  const url = p.url ?? (target?.spec.url as string | undefined);
  if (!url) throw new ProviderError('http check needs a url or an http target', { retryable: false });
  return url;
}

/** Performs one HTTP request; returns the status or throws. */
export async function httpRequest(p: HttpParams, signal: AbortSignal, target?: ResourceRef): Promise<{ status: number }> {
  const url = urlOf(p, target);
  const headers: Record<string, string> = { ...((target?.spec.headers as Record<string, string> | undefined) ?? {}), ...p.headers };
  let requestUrl = url;
  try {
    // fetch refuses credentials in the URL: send them as Basic auth instead.
    const u = new URL(url);
    if (u.username || u.password) {
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'authorization'))
        headers.Authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
      u.username = '';
      u.password = '';
      requestUrl = u.toString();
    }
  } catch {
    throw new ProviderError(`not a valid URL: ${redact(url)}`, { retryable: false });
  }
  let res: Response;
  try {
    res = await fetch(requestUrl, { method: p.method, headers, body: p.body, signal, redirect: 'manual' });
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    throw new ProviderError(`${p.method} ${redact(url)}: ${messageOf((err as { cause?: unknown }).cause ?? err)}`, { cause: err });
  }
  await res.body?.cancel();
  const ok = p.expectStatus ? p.expectStatus.includes(res.status) : res.status >= 200 && res.status < 400;
  if (!ok) throw new ProviderError(`${p.method} ${redact(url)} answered ${res.status}`);
  return { status: res.status };
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid url)';
  }
}

/** `http` action: a request that must answer an expected status. */
export const httpAction: ActionDef<HttpParams> = {
  name: 'http',
  description: 'Send an HTTP request; fails unless the status is expected. Mutating only for non-GET/HEAD methods.',
  phases: ['fault', 'failover', 'failback'],
  target: 'optional',
  targetTypes: ['http'],
  params: HttpParams,
  // A GET or HEAD only reads: plan marks it read-only and the journal does not sync before it.
  mutates: (p) => !['GET', 'HEAD', undefined].includes(p.method as string | undefined),
  async run(ctx, p): Promise<StepOutput> {
    return httpRequest(p, ctx.signal, ctx.target);
  },
};

/** `http` probe: healthy while the endpoint answers an expected status. */
export const httpProbe: ProbeDef<HttpParams> = {
  type: 'http',
  description: 'Healthy while an HTTP endpoint answers an expected status.',
  targets: 'target',
  targetTypes: ['http'],
  params: HttpParams,
  create(ctx, p) {
    const target = ctx.endpoints[0];
    return {
      async check(signal) {
        try {
          await httpRequest(p, signal, target);
          return { ok: true, endpoint: target?.name };
        } catch (err) {
          return { ok: false, error: messageOf(err), endpoint: target?.name };
        }
      },
      async close() {},
    };
  },
};
