import { ProviderError, messageOf } from '../../errors.js';
import { describeConfig, query, withClient } from '../../util/pg-client.js';
import type { HeartbeatOptions, HeartbeatTarget, ProviderContext, ResourceRef } from '../types.js';
import { pgConfigsFor } from './connect.js';

/**
 * A heartbeat in PostgreSQL: one row per beat, `(runbook, seq)` in the heartbeat table, inserted
 * in its own transaction (acknowledged = committed); rows older than the retention are deleted
 * as new ones arrive. Each beat connects afresh to the first host that accepts it, so after a
 * failover (a DSN that follows the primary, a host list) beats go to the new primary.
 */
export function postgresHeartbeat(ref: ResourceRef, ctx: ProviderContext, o: HeartbeatOptions): HeartbeatTarget {
  // The table name is checked by validation (a plain identifier); quoted all the same.
  const table = `"${o.table.replaceAll('"', '""')}"`;
  let label = ref.name;
  const onFirstHost = async <T>(signal: AbortSignal, fn: (c: Parameters<Parameters<typeof withClient>[1]>[0], s: AbortSignal) => Promise<T>): Promise<T> => {
    const errors: string[] = [];
    for (const cfg of pgConfigsFor(ctx, ref)) {
      try {
        const r = await withClient(cfg, fn, signal);
        label = `${ref.name} (${describeConfig(cfg)})`;
        return r;
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        errors.push(messageOf(err));
      }
    }
    throw new ProviderError(`heartbeat on ${ref.name}: ${errors.join('; ')}`);
  };
  return {
    get label() {
      return label;
    },
    async beat(seq, signal) {
      await onFirstHost(signal, async (c, s) => {
        await query(c, `create table if not exists ${table} (runbook text not null, seq bigint not null, written_at timestamptz not null default now(), primary key (runbook, seq))`, [], s);
        await query(c, `insert into ${table} (runbook, seq) values ($1, $2) on conflict do nothing`, [o.runbook, seq], s);
        // Not in the beat's transaction: a failed cleanup never fails a beat.
        await query(c, `delete from ${table} where runbook = $1 and seq < $2`, [o.runbook, seq - o.retentionMs], s).catch(() => {});
      });
    },
    async present(seqs, signal) {
      if (seqs.length === 0) return new Set();
      return onFirstHost(signal, async (c, s) => {
        const found = await query(c, `select to_regclass($1) is not null as ok`, [o.table], s);
        if (!found.rows[0]?.ok) return new Set<number>();
        const r = await query<{ seq: string }>(c, `select seq from ${table} where runbook = $1 and seq = any($2::bigint[])`, [o.runbook, seqs.map(String)], s);
        return new Set(r.rows.map((row) => Number(row.seq)));
      });
    },
    async close() {},
  };
}
