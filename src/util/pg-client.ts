import type pg from 'pg';
import { ProviderError, messageOf } from '../errors.js';
import { raceAbort } from './abort.js';

/** Connection settings of a PostgreSQL endpoint (pg's client config). */
export type PgConfig = pg.ClientConfig;
/** A connected PostgreSQL client. */
export type PgClient = pg.Client;

let pgModule: typeof pg | undefined;
// pg is loaded on first connect: commands that never talk to PostgreSQL (validate, plan, schema)
// do not pay for it.
async function loadPg(): Promise<typeof pg> {
  return (pgModule ??= (await import('pg')).default);
}

/** A short, secret-free label for a pg config (host:port/db). */
export function describeConfig(c: PgConfig): string {
  if (c.connectionString) {
    try {
      const u = new URL(c.connectionString);
      return `${u.hostname}:${u.port || 5432}${u.pathname}`;
    } catch {
      return '(dsn)';
    }
  }
  return `${c.host ?? 'localhost'}:${c.port ?? 5432}`;
}

/** Forcibly closes a client whose server may hang (paused) or be gone. */
export function destroyClient(client: PgClient): void {
  const stream = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
  stream?.destroy();
  client.end().catch(() => {});
}

/** Closes a client politely, dropping the socket if the server does not answer within `graceMs`. */
export async function closeClient(client: PgClient, graceMs = 500): Promise<void> {
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
  if (!ended) destroyClient(client);
}

/** Connects a client, honouring the signal; the client never crashes the process on error. */
export async function connect(config: PgConfig, signal: AbortSignal): Promise<PgClient> {
  if (signal.aborted) throw signal.reason;
  const { Client } = await loadPg();
  if (signal.aborted) throw signal.reason;
  const client = new Client({ ...config, connectionTimeoutMillis: 0 });
  client.on('error', () => {});
  const onAbort = () => destroyClient(client);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    // pg never settles connect() when the client is ended while connecting: race the signal.
    await raceAbort(client.connect(), signal);
    return client;
  } catch (err) {
    destroyClient(client);
    if (signal.aborted) throw signal.reason;
    throw new ProviderError(`cannot connect to ${describeConfig(config)}: ${messageOf(err)}`, { cause: err });
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Runs a query on a connected client, destroying the client if the signal aborts. */
export async function query<R extends pg.QueryResultRow = pg.QueryResultRow>(
  client: PgClient,
  sql: string,
  params: unknown[],
  signal: AbortSignal,
): Promise<pg.QueryResult<R>> {
  if (signal.aborted) throw signal.reason;
  const onAbort = () => destroyClient(client);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await raceAbort(client.query<R>(sql, params), signal);
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Connects, runs `fn`, and always closes. `limit` bounds the whole exchange: a number of
 * milliseconds or a signal (a paused server would otherwise hold the caller for good).
 */
export async function withClient<T>(config: PgConfig, fn: (client: PgClient, signal: AbortSignal) => Promise<T>, limit: number | AbortSignal = 5_000): Promise<T> {
  const signal = typeof limit === 'number' ? AbortSignal.timeout(limit) : limit;
  const client = await connect(config, signal);
  try {
    return await fn(client, signal);
  } finally {
    await closeClient(client);
  }
}

/** Whether an error came from the server (the connection itself is still fine). */
export function isServerError(err: unknown): boolean {
  // pg's DatabaseError carries the server's severity; socket and timeout errors do not.
  return err instanceof Error && typeof (err as { severity?: unknown }).severity === 'string' && typeof (err as { code?: unknown }).code === 'string';
}
