import { setTimeout as sleep } from 'node:timers/promises';
import { ProviderError, messageOf } from '../errors.js';
import { query, withClient, type PgConfig } from '../util/pg-client.js';

/** Options for {@link pollUntil}. */
export interface PollOptions {
  deadlineMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
  /** Called before each attempt; a returned message aborts the wait at once (e.g. "the server exited"). */
  failFast?: () => string | undefined;
}

/**
 * Calls `attempt` every `intervalMs` until it resolves true. Resolves `{ ok: true }`, or
 * `{ ok: false, reason }` with the last error or the fail-fast message; rejects only on abort.
 */
export async function pollUntil(attempt: () => Promise<boolean>, options: PollOptions): Promise<{ ok: true } | { ok: false; reason: string }> {
  const deadline = Date.now() + options.deadlineMs;
  let last = 'timed out';
  for (;;) {
    options.signal?.throwIfAborted();
    const fatal = options.failFast?.();
    if (fatal) return { ok: false, reason: fatal };
    try {
      if (await attempt()) return { ok: true };
    } catch (err) {
      last = messageOf(err);
    }
    if (Date.now() >= deadline) return { ok: false, reason: `no success within ${options.deadlineMs} ms (last: ${last})` };
    await sleep(options.intervalMs ?? 20, undefined, { signal: options.signal }).catch((err: unknown) => {
      options.signal?.throwIfAborted();
      throw err;
    });
  }
}

/**
 * Whether the server answers queries and is the one running on `dataDir` (a port picked as free
 * can be taken by another server in between).
 */
export function servesDataDir(config: PgConfig, dataDir: string): Promise<boolean> {
  return withClient(
    config,
    async (c, signal) => {
      const r = await query<{ d: string }>(c, "select current_setting('data_directory') as d", [], signal);
      if (r.rows[0]?.d !== dataDir) throw new ProviderError(`port ${config.port} is served by another server (${r.rows[0]?.d})`);
      return true;
    },
    1_000,
  );
}

/** Whether `upstream` lists a WAL sender for `applicationName` in state `streaming`. */
export function isStreamingTo(upstream: PgConfig, applicationName: string): Promise<boolean> {
  return withClient(
    upstream,
    async (c, signal) => {
      const r = await query(c, "select 1 from pg_stat_replication where application_name = $1 and state = 'streaming'", [applicationName], signal);
      return (r.rowCount ?? 0) > 0;
    },
    1_000,
  );
}

/** Pids of the WAL senders `config`'s server runs (one per streaming replica). */
export function walSenderPids(config: PgConfig, signal: AbortSignal): Promise<number[]> {
  return withClient(
    config,
    async (c, s) => {
      const r = await query<{ pid: number }>(c, 'select pid from pg_stat_replication', [], s);
      return r.rows.map((x) => Number(x.pid));
    },
    AbortSignal.any([signal, AbortSignal.timeout(5_000)]),
  );
}
