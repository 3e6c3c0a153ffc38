import { z } from 'zod';
import { ProviderError, messageOf } from '../../errors.js';
import { markerKey } from '../../timeline/timeline-event.js';
import type { ProbeContext, ProbeDef, ProbeInstance, ProbeResult } from '../types.js';
import { isServerError, query, type PgClient } from '../../util/pg-client.js';
import { pgConfigCount, pgConfigsFor } from './connect.js';
import { EndpointPool } from './endpoint-pool.js';

const WriteParams = z.object({
  table: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/, { message: 'expected a lower-case SQL identifier, optionally schema-qualified' })
    .default('lifeboat_markers')
    .describe('Table the write markers go to (created if missing).'),
});
type WriteParams = z.output<typeof WriteParams>;

/** How long each endpoint gets to say whether it accepts writes, when the markers are read. */
const STATUS_TIMEOUT_MS = 3000;

/**
 * The write-marker probe: each check inserts one row `(run_id, writer, seq)` into whichever
 * endpoint accepts writes, and records a write acknowledgement only when the commit returned.
 * Survives connection loss: failed clients are dropped and the next check reconnects.
 */
export class WriteProbe implements ProbeInstance {
  private readonly pools: EndpointPool[];
  private preferred: EndpointPool | undefined;
  private readonly tableReady = new WeakSet<EndpointPool>();
  private seq = 0;
  private readonly writer: string;

  constructor(
    private readonly ctx: ProbeContext,
    private readonly params: WriteParams,
  ) {
    this.pools = ctx.endpoints.flatMap((ref) => {
      const n = pgConfigCount(ctx, ref);
      // The settings are asked again on every connect: a lab service's published port can change,
      // and a resource may use a step's output (a restored instance's endpoint).
      return Array.from({ length: n }, (_, i) => new EndpointPool(n > 1 ? `${ref.name}#${i}` : ref.name, () => pgConfigsFor(ctx, ref)[i]!));
    });
    // The writer names the probe (several writes probes never share markers) and the attempt (a
    // resumed run starts its sequence again).
    this.writer = `${ctx.probeName}/a${ctx.attempt}`;
  }

  private order(): EndpointPool[] {
    const rest = this.pools.filter((p) => p !== this.preferred).sort((a, b) => a.pending - b.pending);
    if (this.preferred && this.preferred.pending === 0) return [this.preferred, ...rest];
    return this.preferred ? [...rest, this.preferred] : rest;
  }

  private async ensureTable(pool: EndpointPool, client: PgClient, signal: AbortSignal) {
    if (this.tableReady.has(pool)) return;
    // A read works on a replica too: once the table is there, a promoted replica needs only the insert.
    const found = await query<{ ok: boolean }>(client, 'select to_regclass($1) is not null as ok', [this.params.table], signal);
    if (found.rows[0]?.ok) {
      this.tableReady.add(pool);
      return;
    }
    try {
      await query(
        client,
        `create table if not exists ${this.params.table} (run_id text not null, writer text not null, seq bigint not null, acked_at timestamptz not null default clock_timestamp(), primary key (run_id, writer, seq))`,
        [],
        signal,
      );
    } catch (err) {
      // Two checks creating the table at once: the loser sees a unique violation; the table exists.
      if (!(isServerError(err) && (err as { code?: string }).code === '23505')) throw err;
    }
    this.tableReady.add(pool);
  }

  async check(signal: AbortSignal): Promise<ProbeResult> {
    const errors: string[] = [];
    for (const pool of this.order()) {
      if (signal.aborted) break;
      pool.pending++;
      let client: PgClient | undefined;
      try {
        client = await pool.acquire(signal);
        await this.ensureTable(pool, client, signal);
        const seq = ++this.seq;
        await query(client, `insert into ${this.params.table} (run_id, writer, seq) values ($1, $2, $3)`, [this.ctx.runId, this.writer, seq], signal);
        const t = this.ctx.clock.now();
        this.ctx.record({ t, kind: 'write-ack', probe: this.ctx.probeName, writer: this.writer, seq, endpoint: pool.name });
        pool.release(client, true);
        this.preferred = pool;
        return { ok: true, endpoint: pool.name };
      } catch (err) {
        if (client) pool.release(client, isServerError(err) && !signal.aborted);
        errors.push(`${pool.name}: ${signal.aborted ? 'timed out' : messageOf(err)}`);
      } finally {
        pool.pending--;
      }
    }
    return { ok: false, error: errors.join('; ') || 'timed out' };
  }

  /**
   * Reads the surviving markers from the endpoint that now accepts writes. Every endpoint is
   * asked: when more than one accepts writes (split brain), the one on the newest WAL timeline —
   * the promoted one — is authoritative, and the others are reported.
   */
  async readSurvivingMarkers(signal: AbortSignal): Promise<{ endpoint: string; keys: Set<string>; splitBrain?: string[] }> {
    const errors: string[] = [];
    const writable: Array<{ pool: EndpointPool; timeline: number; rank: number }> = [];
    const order = this.order();
    await Promise.all(
      order.map(async (pool, rank) => {
        let client: PgClient | undefined;
        // A frozen endpoint must not hold the reading: each one gets a few seconds to answer.
        const each = AbortSignal.any([signal, AbortSignal.timeout(STATUS_TIMEOUT_MS)]);
        try {
          client = await pool.acquire(each);
          const r = await query<{ rec: boolean; wal: string | null }>(
            client,
            'select pg_is_in_recovery() as rec, case when pg_is_in_recovery() then null else pg_walfile_name(pg_current_wal_lsn()) end as wal',
            [],
            each,
          );
          pool.release(client, true);
          if (r.rows[0]?.rec) errors.push(`${pool.name}: in recovery (read-only)`);
          else writable.push({ pool, timeline: parseInt(String(r.rows[0]?.wal ?? '0').slice(0, 8), 16), rank });
        } catch (err) {
          if (client) pool.release(client, false);
          errors.push(`${pool.name}: ${each.aborted && !signal.aborted ? 'did not answer' : messageOf(err)}`);
        }
      }),
    );
    writable.sort((a, b) => b.timeline - a.timeline || a.rank - b.rank);
    const chosen = writable[0];
    if (!chosen) throw new ProviderError(`no endpoint accepts writes to read the markers from: ${errors.join('; ')}`);
    const client = await chosen.pool.acquire(signal);
    try {
      const rows = await query<{ writer: string; seq: string }>(client, `select writer, seq from ${this.params.table} where run_id = $1`, [this.ctx.runId], signal);
      chosen.pool.release(client, true);
      return {
        endpoint: chosen.pool.name,
        keys: new Set(rows.rows.map((x) => markerKey(x.writer, Number(x.seq)))),
        ...(writable.length > 1 ? { splitBrain: writable.map((w) => `${w.pool.name} (timeline ${w.timeline})`) } : {}),
      };
    } catch (err) {
      chosen.pool.release(client, false);
      throw err;
    }
  }

  async close(): Promise<void> {
    for (const p of this.pools) p.close();
  }
}

/** `postgres.writes`: the write-marker probe used to measure lost writes and RPO. */
export const writeProbe: ProbeDef<WriteParams> = {
  type: 'postgres.writes',
  description: 'Writes a numbered marker row per check to whichever endpoint accepts writes; acknowledged markers missing after failover are lost writes.',
  targets: 'endpoints',
  targetCapability: 'postgres',
  measuresWrites: true,
  params: WriteParams,
  create: (ctx, p) => new WriteProbe(ctx, p),
};
