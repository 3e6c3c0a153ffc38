import { z } from 'zod';
import { messageOf } from '../../errors.js';
import type { ProbeDef } from '../types.js';
import { pgConfigsFor, query } from './connect.js';
import { EndpointPool, isServerError } from './endpoint-pool.js';

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
  targetTypes: ['lab.postgres', 'postgres'],
  params: QueryParams,
  create(ctx, p) {
    const pools = ctx.endpoints.flatMap((ref) => pgConfigsFor(ctx, ref).map((c, i, all) => new EndpointPool(all.length > 1 ? `${ref.name}#${i}` : ref.name, c)));
    const sql = p.writable ? `select pg_is_in_recovery() as lifeboat_rec, q.* from (${p.sql}) q` : p.sql;
    const one = async (pool: EndpointPool, signal: AbortSignal): Promise<string | undefined> => {
      let client: import('pg').Client | undefined;
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
        const results = await Promise.all(pools.map((pool) => one(pool, signal)));
        const failures = results.filter((r): r is string => r !== undefined);
        const okIndex = results.findIndex((r) => r === undefined);
        const ok = p.require === 'all' ? failures.length === 0 : okIndex >= 0;
        return ok ? { ok, endpoint: pools[okIndex]?.name } : { ok, error: failures.join('; ') };
      },
      async close() {
        for (const pool of pools) pool.close();
      },
    };
  },
};
