import { z } from 'zod';
import { AbortedError, messageOf } from '../../errors.js';
import type { ProbeDef } from '../types.js';
import { isServerError, query, type PgClient } from '../../util/pg-client.js';
import { pgConfigCount, pgConfigsFor } from './connect.js';
import { EndpointPool } from './endpoint-pool.js';

const QueryParams = z.object({
  sql: z.string().min(1).default('select 1').describe('Query that must succeed.'),
  require: z.enum(['any', 'all']).default('any').describe('any: healthy when one endpoint answers; all: when every endpoint does.'),
  writable: z.boolean().default(false).describe('Only an endpoint that is not in recovery counts.'),
});
type QueryParams = z.output<typeof QueryParams>;

/** `postgres.query`: healthy while the query succeeds on any (or all) endpoints. */
export const queryProbe: ProbeDef<QueryParams> = {
  type: 'postgres.query',
  description: 'Runs a query on the endpoints; healthy while it succeeds on any (or all) of them.',
  targets: 'endpoints',
  targetCapability: 'postgres',
  params: QueryParams,
  create(ctx, p) {
    const pools = ctx.endpoints.flatMap((ref) => {
      // A resource that uses a step's output counts as one host until the step completed.
      const n = pgConfigCount(ctx, ref);
      return Array.from({ length: n }, (_, i) => new EndpointPool(n > 1 ? `${ref.name}#${i}` : ref.name, () => pgConfigsFor(ctx, ref)[i]!));
    });
    const sql = p.writable ? `select pg_is_in_recovery() as lifeboat_rec, q.* from (${p.sql}) q` : p.sql;
    const one = async (pool: EndpointPool, signal: AbortSignal): Promise<string | undefined> => {
      let client: PgClient | undefined;
      try {
        client = await pool.acquire(signal);
        const r = await query(client, sql, [], signal);
        pool.release(client, true);
        if (p.writable && r.rows[0]?.lifeboat_rec) return `${pool.name}: in recovery`;
        return undefined;
      } catch (err) {
        if (client) pool.release(client, isServerError(err) && !signal.aborted);
        return `${pool.name}: ${signal.aborted ? 'timed out' : messageOf(err)}`;
      }
    };
    return {
      async check(signal) {
        // With require: any, the first endpoint that answers decides; the others (a frozen
        // server hangs) are abandoned at once rather than holding the check until its timeout.
        const done = new AbortController();
        const linked = AbortSignal.any([signal, done.signal]);
        const failures: string[] = [];
        let okName: string | undefined;
        await new Promise<void>((resolve) => {
          let pending = pools.length;
          if (pending === 0) resolve();
          for (const pool of pools) {
            void one(pool, linked).then((failure) => {
              if (failure === undefined) okName ??= pool.name;
              else if (!done.signal.aborted) failures.push(failure);
              if (p.require === 'any' && failure === undefined) resolve();
              if (--pending === 0) resolve();
            });
          }
        });
        // Slower endpoints that are merely a little behind finish on their own (their connections
        // are kept); only those still hanging after a grace are abandoned.
        if (!done.signal.aborted) setTimeout(() => done.abort(new AbortedError('another endpoint answered')), 250).unref();
        const ok = p.require === 'all' ? failures.length === 0 && okName !== undefined : okName !== undefined;
        return ok ? { ok, endpoint: okName } : { ok, error: failures.join('; ') || 'no endpoint answered' };
      },
      async close() {
        for (const pool of pools) pool.close();
      },
    };
  },
};
