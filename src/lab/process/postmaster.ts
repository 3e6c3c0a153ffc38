import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { PgBinaries } from './pg-binaries.js';
import { pollUntil, servesDataDir } from '../postgres-checks.js';
import { childExited, signalTree } from './proc.js';
import { spawnServer, type RunAs } from './run-as.js';
import { serverSettingArgs } from '../postgres-settings.js';

/** Settings every lab server gets; the spec's `settings` come after them and win. */
/** How to run one postmaster. */
export interface PostmasterConfig {
  bins: PgBinaries;
  runAs: RunAs;
  name: string;
  dataDir: string;
  /** Where the unix socket goes (the lab root: short, and owned by the run-as user). */
  socketDir: string;
  logPath: string;
  port: number;
  settings: Record<string, string | number | boolean>;
}

/** Command line of the postmaster. Port, address and socket go last so neither the spec nor a config file copied by pg_rewind can change them. */
export function postmasterArgs(c: PostmasterConfig): string[] {
  return ['-D', c.dataDir, ...serverSettingArgs(c.name, c.settings, { port: String(c.port), listen_addresses: '127.0.0.1', unix_socket_directories: c.socketDir })];
}

/** Outcome of {@link launchPostmaster}. */
export type LaunchResult =
  | { ok: true; child: ChildProcess; ms: number }
  | { ok: false; reason: string; logTail: string; portInUse: boolean };

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The last `lines` lines of the log written since byte `from`. */
async function logSince(path: string, from: number, lines = 20): Promise<string> {
  try {
    const text = (await readFile(path)).subarray(from).toString('utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Starts `postgres` as our own child (so we reap it at once; orphans are reaped late on some
 * machines and block a restart on the same data directory), with its output appended to the log,
 * and polls `select 1` until it answers. Fails fast when the child exits; on failure or abort the
 * child is killed before returning.
 */
export async function launchPostmaster(
  config: PostmasterConfig,
  options: { deadlineMs: number; signal?: AbortSignal; log?: Logger },
): Promise<LaunchResult> {
  const started = Date.now();
  const logStart = fileSize(config.logPath);
  const logFd = openSync(config.logPath, 'a');
  let child: ChildProcess;
  try {
    child = await spawnServer(config.runAs, config.bins.postgres, postmasterArgs(config), {
      cwd: config.socketDir,
      logFd,
    });
  } finally {
    closeSync(logFd);
  }
  options.log?.debug({ service: config.name, pid: child.pid, port: config.port }, 'postmaster spawned');
  const exitedEarly = (): string | undefined =>
    child.exitCode !== null || child.signalCode !== null
      ? `postgres exited during startup (${child.signalCode ?? `code ${child.exitCode}`})`
      : undefined;
  const killChild = async (): Promise<void> => {
    if (!exitedEarly() && child.pid !== undefined) signalTree(child.pid, 'SIGKILL');
    await childExited(child);
  };
  let outcome: Awaited<ReturnType<typeof pollUntil>>;
  try {
    outcome = await pollUntil(
      () =>
        servesDataDir({ host: '127.0.0.1', port: config.port, user: 'postgres', database: 'postgres' }, config.dataDir),
      { deadlineMs: options.deadlineMs, intervalMs: 20, signal: options.signal, failFast: exitedEarly },
    );
  } catch (err) {
    await killChild();
    throw err;
  }
  if (outcome.ok) return { ok: true, child, ms: Date.now() - started };
  await killChild();
  const logTail = await logSince(config.logPath, logStart);
  const portInUse = /could not bind|Address already in use|could not create any TCP\/IP sockets/i.test(logTail);
  return { ok: false, reason: outcome.reason, logTail, portInUse };
}
