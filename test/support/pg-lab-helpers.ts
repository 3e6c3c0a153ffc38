import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { ClientConfig } from 'pg';
import { closeClient } from '../../src/util/pg-client.js';

/** Runs one statement on a fresh connection that gives up after `timeoutMs` (connect and query alike). */
export async function query<R extends pg.QueryResultRow = Record<string, unknown>>(
  config: ClientConfig,
  sql: string,
  params: unknown[] = [],
  timeoutMs = 5_000,
): Promise<R[]> {
  const client = new pg.Client({ ...config, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await closeClient(client, 200);
  }
}

/** Polls `check` every 20 ms until it returns true; throws after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    await sleep(20);
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}

/** Live (non-zombie) processes whose command line mentions `text`. */
export function livePidsMentioning(text: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmdline.includes(text) && isLive(Number(name))) found.push(Number(name));
    } catch {
      // exited while we looked
    }
  }
  return found;
}

/** Whether /proc shows `pid` as an existing process that is not a zombie. */
export function isLive(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The scheduler state letter of `pid` (R, S, T, Z, ...), or undefined when gone. */
export function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0];
  } catch {
    return undefined;
  }
}
