import { spawn } from 'node:child_process';
import { accessSync, constants, readdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { InfrastructureError } from '../../errors.js';
import type { PgConfig } from '../../util/pg-client.js';

/** The PostgreSQL client programs the backup and restore actions run on this machine. */
export type PgClientTool = 'pg_dump' | 'pg_restore' | 'pg_basebackup';

const DEBIAN_ROOT = '/usr/lib/postgresql';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where a client program is: `LIFEBOAT_PG_BIN`, else the newest `/usr/lib/postgresql/<v>/bin`
 * holding it (a newer pg_dump reads older servers), else the bare name (found on PATH).
 */
export function pgToolPath(tool: PgClientTool, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['LIFEBOAT_PG_BIN'];
  if (fromEnv) return join(fromEnv, tool);
  let versions: string[] = [];
  try {
    versions = readdirSync(DEBIAN_ROOT).filter((v) => /^\d+(\.\d+)?$/.test(v));
  } catch {
    // no Debian-style install: PATH it is
  }
  const found = versions
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => join(DEBIAN_ROOT, v, 'bin', tool))
    .find(isExecutable);
  return found ?? tool;
}

/**
 * libpq environment for a connection: host, port, user, database, password and SSL mode go in
 * `PG*` variables, never on the command line (where `ps` shows them). A DSN's password moves to
 * `PGPASSWORD` too; the rest of it is passed as `--dbname`.
 */
export function libpqConnection(cfg: PgConfig): { env: Record<string, string>; dbnameArg?: string } {
  const env: Record<string, string> = {};
  const set = (k: string, v: unknown) => {
    if (v !== undefined && v !== null && v !== '') env[k] = String(v);
  };
  let dbnameArg: string | undefined;
  if (cfg.connectionString) {
    try {
      const url = new URL(cfg.connectionString);
      if (url.password) set('PGPASSWORD', decodeURIComponent(url.password));
      url.password = '';
      dbnameArg = url.toString();
    } catch {
      // keyword=value form: libpq parses it
      dbnameArg = cfg.connectionString;
    }
  }
  set('PGHOST', cfg.host);
  set('PGPORT', cfg.port);
  set('PGUSER', cfg.user);
  set('PGDATABASE', cfg.database);
  set('PGPASSWORD', cfg.password);
  if (cfg.ssl === true) set('PGSSLMODE', 'require');
  else if (cfg.ssl && typeof cfg.ssl === 'object') set('PGSSLMODE', 'require');
  return { env, ...(dbnameArg !== undefined ? { dbnameArg } : {}) };
}

/** How a client program ended. */
export interface PgToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  durationMs: number;
}

/**
 * Runs a client program against `cfg` to completion (never rejects on a non-zero exit), its
 * stdout written to `stdoutFile` (created 0600) when given. An abort kills it and rejects with
 * the signal's reason; a missing program is an InfrastructureError saying what to install.
 */
export async function runPgTool(
  tool: PgClientTool,
  args: string[],
  options: { connection: PgConfig; stdoutFile?: string; signal?: AbortSignal; env?: NodeJS.ProcessEnv },
): Promise<PgToolResult> {
  const { signal } = options;
  signal?.throwIfAborted();
  const conn = libpqConnection(options.connection);
  const env: NodeJS.ProcessEnv = {};
  // Our own PG* variables must not change where the program connects.
  for (const [k, v] of Object.entries(options.env ?? process.env)) if (!k.startsWith('PG')) env[k] = v;
  Object.assign(env, conn.env);
  const out = options.stdoutFile ? await open(options.stdoutFile, 'w', 0o600) : undefined;
  const file = pgToolPath(tool, options.env);
  const started = Date.now();
  try {
    return await new Promise<PgToolResult>((resolve, reject) => {
      const child = spawn(file, [...(conn.dbnameArg !== undefined ? [`--dbname=${conn.dbnameArg}`] : []), ...args], {
        env,
        stdio: ['ignore', out ? out.fd : 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (d: string) => {
        if (stderr.length < 64_000) stderr += d;
      });
      const onAbort = () => child.kill('SIGKILL');
      signal?.addEventListener('abort', onAbort, { once: true });
      child.once('error', (err: NodeJS.ErrnoException) => {
        signal?.removeEventListener('abort', onAbort);
        reject(
          err.code === 'ENOENT'
            ? new InfrastructureError(`${tool} not found (${file}): install the PostgreSQL client programs (\`apt-get install -y postgresql-client\`) or set LIFEBOAT_PG_BIN`, { cause: err })
            : new InfrastructureError(`cannot run ${file}: ${err.message}`, { cause: err }),
        );
      });
      child.once('close', (code, sig) => {
        signal?.removeEventListener('abort', onAbort);
        if (signal?.aborted) return reject(signal.reason);
        resolve({ code, signal: sig, stderr, durationMs: Date.now() - started });
      });
    });
  } finally {
    await out?.close();
  }
}

/** The last lines of a program's stderr, for an error message. */
export function stderrTail(text: string, lines = 10): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
