import { z } from 'zod';
import { ProviderError } from '../../errors.js';
import { Duration, ms } from '../../util/duration.js';
import { query } from '../../util/pg-client.js';
import { sleep } from '../../util/abort.js';
import { labServiceOf, labServiceWith } from '../lab/lab-actions.js';
import type { ActionDef } from '../types.js';
import { withResource } from './connect.js';

const promoteAction: ActionDef<{ wait: string }> = {
  name: 'postgres.promote',
  description: 'Promote a streaming replica to primary (pg_promote) and wait until it accepts writes. Idempotent.',
  phases: ['failover', 'failback'],
  target: 'required',
  targetCapability: 'postgres',
  params: z.object({ wait: Duration.default('60s').describe('How long pg_promote waits for promotion to finish.') }),
  mutates: true,
  async run(ctx, p) {
    return withResource(ctx, ctx.target!, ctx.signal, async (c) => {
      const r = await query<{ rec: boolean }>(c, 'select pg_is_in_recovery() as rec', [], ctx.signal);
      if (!r.rows[0]?.rec) return { alreadyPrimary: true };
      // pg_promote(true) checks only every 100 ms; signal, then poll more finely ourselves.
      await query(c, 'select pg_promote(false)', [], ctx.signal);
      const deadline = performance.now() + ms(p.wait);
      for (;;) {
        const s = await query<{ rec: boolean }>(c, 'select pg_is_in_recovery() as rec', [], ctx.signal);
        if (!s.rows[0]?.rec) return { alreadyPrimary: false };
        if (performance.now() > deadline) throw new ProviderError(`${ctx.target!.name}: promotion did not finish within ${p.wait}`);
        await sleep(5, ctx.signal);
      }
    });
  },
  async isDone(ctx) {
    return withResource(ctx, ctx.target!, ctx.signal, async (c) => {
      const r = await query<{ rec: boolean }>(c, 'select pg_is_in_recovery() as rec', [], ctx.signal);
      return r.rows[0]?.rec === false;
    });
  },
};

const sqlAction: ActionDef<{ sql: string; params: unknown[] }> = {
  name: 'postgres.sql',
  description: 'Run one SQL statement; the first 100 rows and the row count are the output.',
  phases: ['fault', 'failover', 'failback'],
  target: 'required',
  targetCapability: 'postgres',
  params: z.object({
    sql: z.string().min(1),
    params: z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])).default([]).describe('Values for $1, $2, ...'),
  }),
  mutates: true,
  async run(ctx, p) {
    return withResource(ctx, ctx.target!, ctx.signal, async (c) => {
      const r = await query(c, p.sql, p.params, ctx.signal);
      return { rowCount: r.rowCount, rows: r.rows.slice(0, 100) };
    });
  },
};

const holdWalAction: ActionDef<{ settle: string }> = {
  name: 'postgres.hold-wal',
  description:
    'Hold back WAL shipping from a lab primary (e.g. SIGSTOP its WAL senders) so replicas fall behind and a failover loses real data. Released by postgres.release-wal; a kill of the primary or teardown ends the hold.',
  phases: ['fault'],
  target: 'required',
  targetCapability: 'lab-service',
  labCapability: 'hold-wal',
  params: z.object({ settle: Duration.default('0ms').describe('Wait after holding, before the next step.') }),
  mutates: true,
  async run(ctx, p) {
    const out = await labServiceWith(ctx, 'hold-wal').holdWal!(ctx.signal);
    if (ms(p.settle) > 0) await sleep(ms(p.settle), ctx.signal);
    return out;
  },
  async isDone(ctx) {
    return labServiceWith(ctx, 'hold-wal').isWalHeld?.() ?? false;
  },
};

const releaseWalAction: ActionDef = {
  name: 'postgres.release-wal',
  description: 'Release WAL shipping held by postgres.hold-wal.',
  phases: ['fault', 'failover', 'failback'],
  target: 'required',
  targetCapability: 'lab-service',
  labCapability: 'hold-wal',
  params: z.object({}),
  mutates: true,
  async run(ctx) {
    return labServiceWith(ctx, 'hold-wal').releaseWal!();
  },
};

const rejoinAction: ActionDef<{ source: string }> = {
  name: 'postgres.rejoin',
  description:
    'Failback: rebuild a lab service (the old primary) as a streaming replica of `source` (the new primary) — CHECKPOINT, pg_rewind -R, or a fresh pg_basebackup when rewind fails — and wait until it streams.',
  phases: ['failover', 'failback'],
  target: 'required',
  targetCapability: 'lab-service',
  resourceParams: ['source'],
  params: z.object({ source: z.string().describe('Resource (lab.postgres) that is now the primary.') }),
  // Validation passes the whole step, so the target sits beside the parameters.
  validate: (step) => ((step as { target?: unknown }).target === step.source ? [{ path: 'source', message: 'cannot rejoin a service to itself' }] : []),
  mutates: true,
  async run(ctx, p) {
    const target = labServiceOf(ctx);
    const source = labServiceOf(ctx, p.source);
    if (target.isRunning()) await target.stop(30_000);
    const { method } = await target.rejoinAsReplicaOf(source, ctx.signal);
    // What the new primary itself reports about its replicas, as evidence of streaming.
    const replication = await withResource(ctx, ctx.resource(p.source), ctx.signal, async (c) => {
      const r = await query<{ application_name: string; state: string }>(c, 'select application_name, state from pg_stat_replication', [], ctx.signal);
      return r.rows;
    });
    return { method, streamingFrom: p.source, replication };
  },
  async isDone(ctx, p) {
    const target = labServiceOf(ctx);
    if (!target.isRunning()) return false;
    const source = labServiceOf(ctx, p.source);
    // Lab services connect with application_name = their service name.
    return withResource(ctx, ctx.resource(p.source), ctx.signal, async (c) => {
      const r = await query<{ n: string }>(
        c,
        "select count(*) as n from pg_stat_replication where state = 'streaming' and application_name = $1",
        [target.name],
        ctx.signal,
      );
      return Number(r.rows[0]?.n ?? 0) > 0 && source.isRunning();
    });
  },
};

export const postgresActions = [promoteAction, sqlAction, holdWalAction, releaseWalAction, rejoinAction];
