import pg from 'pg';
import type { ClientConfig } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';

/** Closes a client without waiting on a server that may be stopped or dead. */
export async function closeClient(client: pg.Client, graceMs = 500): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const graceful = client.end().then(
    () => true,
    () => false,
  );
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), graceMs);
  });
  const ended = await Promise.race([graceful, timedOut]);
  clearTimeout(timer);
  // A stopped server never answers the Terminate message: drop the socket.
  if (!ended) client.connection.stream.destroy();
}

/** Connects, runs `fn`, and always closes. Errors of a server that dies meanwhile are swallowed on the client. */
export async function withClient<T>(
  config: ClientConfig,
  fn: (client: pg.Client) => Promise<T>,
  timeoutMs = 5_000,
): Promise<T> {
  const client = new pg.Client({ connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs, ...config });
  client.on('error', () => {});
  try {
    await client.connect();
    return await fn(client);
  } finally {
    await closeClient(client);
  }
}

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
export async function pollUntil(
  attempt: () => Promise<boolean>,
  options: PollOptions,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const deadline = Date.now() + options.deadlineMs;
  let last = 'timed out';
  for (;;) {
    options.signal?.throwIfAborted();
    const fatal = options.failFast?.();
    if (fatal) return { ok: false, reason: fatal };
    try {
      if (await attempt()) return { ok: true };
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
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
export function servesDataDir(config: ClientConfig, dataDir: string): Promise<boolean> {
  return withClient(
    config,
    async (c) => {
      const r = await c.query<{ d: string }>("select current_setting('data_directory') as d");
      if (r.rows[0]?.d !== dataDir) throw new Error(`port ${config.port} is served by another server (${r.rows[0]?.d})`);
      return true;
    },
    1_000,
  );
}

/** Whether `upstream` lists a WAL sender for `applicationName` in state `streaming`. */
export function isStreamingTo(upstream: ClientConfig, applicationName: string): Promise<boolean> {
  return withClient(
    upstream,
    async (c) => {
      const r = await c.query(
        "select 1 from pg_stat_replication where application_name = $1 and state = 'streaming'",
        [applicationName],
      );
      return (r.rowCount ?? 0) > 0;
    },
    1_000,
  );
}
