import { readStat } from '../../lab/process/proc.js';
import { z } from 'zod';
import { ProviderError } from '../../errors.js';
import { Duration, ms } from '../../runbook/fields.js';
import { sleep } from '../../util/abort.js';
import { labServiceOf } from '../lab/lab-actions.js';
import type { ActionDef } from '../types.js';
import { query, withResource } from './connect.js';

const PG = ['lab.postgres', 'postgres'] as const;

const promoteAction: ActionDef<{ wait: string }> = {
  name: 'postgres.promote',
  description: 'Promote a streaming replica to primary (pg_promote) and wait until it accepts writes. Idempotent.',
  phases: ['failover', 'failback'],
  target: 'required',
  targetTypes: PG,
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
  targetTypes: PG,
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

/** Scheduler state of a process (T = stopped), undefined when gone. */
const procState = (pid: number): string | undefined => readStat(pid)?.state;

const holdWalAction: ActionDef<{ settle: string }> = {
  name: 'postgres.hold-wal',
  description:
    'Hold back WAL shipping from a lab primary (SIGSTOP its WAL sender processes) so replicas fall behind and a failover loses real data. Released by postgres.release-wal; a kill of the primary or teardown kills the held senders.',
  phases: ['fault'],
  target: 'required',
  targetTypes: ['lab.postgres'],
  params: z.object({ settle: Duration.default('0ms').describe('Wait after holding, before the next step.') }),
  mutates: true,
  async run(ctx, p) {
    const svc = labServiceOf(ctx);
    const pids = await withResource(ctx, ctx.target!, ctx.signal, async (c) => {
      const r = await query<{ pid: number }>(c, 'select pid from pg_stat_replication', [], ctx.signal);
      return r.rows.map((x) => Number(x.pid));
    });
    if (pids.length === 0) throw new ProviderError(`${ctx.target!.name}: no WAL sender to hold (no replica is streaming)`);
    const children = new Set(svc.childPids());
    for (const pid of pids) {
      if (!children.has(pid)) throw new ProviderError(`${ctx.target!.name}: WAL sender ${pid} is not a process of this lab service`, { retryable: false });
      process.kill(pid, 'SIGSTOP');
    }
    if (ms(p.settle) > 0) await sleep(ms(p.settle), ctx.signal);
    return { walSenderPids: pids };
  },
  async isDone(ctx) {
    const svc = labServiceOf(ctx);
    return svc.childPids().some((pid) => procState(pid) === 'T');
  },
};

const releaseWalAction: ActionDef = {
  name: 'postgres.release-wal',
  description: 'Release WAL shipping held by postgres.hold-wal (SIGCONT the stopped WAL senders).',
  phases: ['fault', 'failover', 'failback'],
  target: 'required',
  targetTypes: ['lab.postgres'],
  params: z.object({}),
  mutates: true,
  async run(ctx) {
    const svc = labServiceOf(ctx);
    const released: number[] = [];
    for (const pid of svc.childPids()) {
      if (procState(pid) !== 'T') continue;
      process.kill(pid, 'SIGCONT');
      released.push(pid);
    }
    return { released };
  },
};

const rejoinAction: ActionDef<{ source: string }> = {
  name: 'postgres.rejoin',
  description:
    'Failback: rebuild a lab service (the old primary) as a streaming replica of `source` (the new primary) — CHECKPOINT, pg_rewind -R, or a fresh pg_basebackup when rewind fails — and wait until it streams.',
  phases: ['failover', 'failback'],
  target: 'required',
  targetTypes: ['lab.postgres'],
  resourceParams: ['source'],
  params: z.object({ source: z.string().describe('Resource (lab.postgres) that is now the primary.') }),
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
