import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { InvalidInputError, messageOf } from '../errors.js';
import { redactText } from '../log.js';
import type { Registry } from '../providers/registry.js';
import type { HeartbeatOptions, HeartbeatTarget, ProviderContext } from '../providers/types.js';
import type { Runbook } from '../runbook/types.js';
import type { HeartbeatRead } from '../timeline/timeline-event.js';
import { ms } from '../util/duration.js';
import { makeDirs } from '../util/make-dir.js';
import { storageFault } from '../util/storage-fault.js';
import { heartbeatLoss, type HeartbeatAck } from '../verify/heartbeat-loss.js';

/** Where `lifeboat heartbeat` records the beats its target acknowledged: one JSON line each, fsynced. */
export function heartbeatLogPath(stateDir: string, runbook: string, target: string): string {
  return join(stateDir, 'heartbeats', `${runbook}.${target}.jsonl`);
}

/** The acknowledged beats of a heartbeat log (a torn last line is skipped); empty when there is none. */
export function readHeartbeatLog(path: string): HeartbeatAck[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((l) => {
      try {
        const a = JSON.parse(l) as HeartbeatAck;
        return typeof a.seq === 'number' && typeof a.ackedAt === 'number' ? [a] : [];
      } catch {
        return [];
      }
    });
}

/** The heartbeat settings of a runbook, as the target sees them. */
export function heartbeatOptions(runbook: Runbook): HeartbeatOptions & { target: string; intervalMs: number } {
  const h = runbook.heartbeat;
  if (!h) throw new InvalidInputError(`runbook ${runbook.name} has no heartbeat: section (heartbeat: { target: <resource>, interval: 1s })`);
  return { target: h.target, intervalMs: ms(h.interval), runbook: runbook.name, table: h.table, prefix: h.prefix, retentionMs: ms(h.retention) };
}

/** Opens the heartbeat target of a runbook through its resource type. */
export function openHeartbeatTarget(runbook: Runbook, registry: Registry, ctx: ProviderContext): HeartbeatTarget {
  const o = heartbeatOptions(runbook);
  const ref = ctx.resource(o.target);
  const def = registry.resourceType(ref.type);
  if (!def?.heartbeat) throw new InvalidInputError(`resource ${o.target} (${ref.type}) cannot keep heartbeats`);
  return def.heartbeat(ref, ctx, o);
}

/** What one beat did. */
export interface BeatOutcome {
  seq: number;
  ok: boolean;
  ackedAt?: number;
  error?: string;
}

/**
 * `lifeboat heartbeat`: writes a beat every `interval` until `signal` aborts (or `count` beats were
 * attempted), and appends each acknowledged one to the local log, fsynced before the next beat —
 * a beat counts only once both the target and this disk have it. A failing target (the outage)
 * does not stop the heartbeat; a local log that cannot be written does (the figures would lie).
 */
export async function runHeartbeat(options: {
  runbook: Runbook;
  registry: Registry;
  context: ProviderContext;
  stateDir: string;
  log: Logger;
  signal: AbortSignal;
  count?: number;
  onBeat?: (b: BeatOutcome) => void;
}): Promise<{ acknowledged: number; failed: number; logPath: string }> {
  const o = heartbeatOptions(options.runbook);
  const path = heartbeatLogPath(options.stateDir, o.runbook, o.target);
  const target = openHeartbeatTarget(options.runbook, options.registry, options.context);
  let fd: number;
  try {
    makeDirs(join(options.stateDir, 'heartbeats'), 0o700);
    fd = openSync(path, 'a', 0o600);
  } catch (err) {
    await target.close();
    throw storageFault('open the heartbeat log', path, err);
  }
  let last = Math.max(0, ...readHeartbeatLog(path).map((a) => a.seq));
  let acknowledged = 0;
  let failed = 0;
  let attempts = 0;
  try {
    while (!options.signal.aborted && (options.count === undefined || attempts < options.count)) {
      attempts++;
      const sentAt = Date.now();
      // Strictly increasing across restarts: the epoch ms it was sent, or one more than the last.
      const seq = (last = Math.max(last + 1, sentAt));
      // A beat to a dead or frozen primary must not hang the heartbeat; the first one also loads
      // the SDK or driver and resolves credentials.
      const bounded = AbortSignal.any([options.signal, AbortSignal.timeout(Math.max(attempts === 1 ? 15_000 : 5_000, 2 * o.intervalMs))]);
      try {
        await target.beat(seq, bounded);
        const ackedAt = Date.now();
        try {
          writeSync(fd, `${JSON.stringify({ seq, ackedAt })}\n`);
          fsyncSync(fd);
        } catch (err) {
          throw storageFault('record the heartbeat', path, err);
        }
        acknowledged++;
        options.onBeat?.({ seq, ok: true, ackedAt });
      } catch (err) {
        if (options.signal.aborted) break;
        if ((err as { code?: string }).code === 'INFRASTRUCTURE') throw err;
        failed++;
        const error = redactText(messageOf(err));
        options.log.warn({ seq, err: error }, 'heartbeat not acknowledged');
        options.onBeat?.({ seq, ok: false, error });
      }
      if (options.count !== undefined && attempts >= options.count) break;
      const wait = sentAt + o.intervalMs - Date.now();
      if (wait > 0) await sleep(wait, undefined, { signal: options.signal }).catch(() => {});
    }
  } finally {
    closeSync(fd);
    await target.close().catch(() => {});
  }
  return { acknowledged, failed, logPath: path };
}

/**
 * After a real failover: which beats acknowledged before now are on the heartbeat target (the new
 * primary) — the event the verifier measures the RPO from. Undefined when the runbook has no
 * heartbeat or its log has no beat (no heartbeat ran for it). Reads the beats of the last half of
 * the retention (older ones may have been deleted from the target).
 */
export async function readHeartbeat(options: {
  runbook: Runbook;
  registry: Registry;
  context: ProviderContext;
  stateDir: string;
  outageStart: number;
  signal: AbortSignal;
}): Promise<HeartbeatRead | undefined> {
  if (!options.runbook.heartbeat) return undefined;
  const o = heartbeatOptions(options.runbook);
  const now = Date.now();
  const acks = readHeartbeatLog(heartbeatLogPath(options.stateDir, o.runbook, o.target)).filter((a) => a.ackedAt <= now && a.ackedAt >= now - o.retentionMs / 2);
  if (acks.length === 0) return undefined;
  let target: HeartbeatTarget | undefined;
  try {
    target = openHeartbeatTarget(options.runbook, options.registry, options.context);
    const present = await target.present(
      acks.map((a) => a.seq),
      AbortSignal.any([options.signal, AbortSignal.timeout(15_000)]),
    );
    const loss = heartbeatLoss(acks, present, options.outageStart);
    return { t: options.context.clock.now(), kind: 'heartbeat', target: o.target, readFrom: target.label, ...loss };
  } catch (err) {
    if (options.signal.aborted) throw err;
    return { t: options.context.clock.now(), kind: 'heartbeat', target: o.target, acknowledged: acks.length, lost: 0, notMeasured: `not measured: the heartbeat could not be read: ${redactText(messageOf(err))}` };
  } finally {
    await target?.close().catch(() => {});
  }
}
