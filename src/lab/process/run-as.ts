import { spawn, type ChildProcess } from 'node:child_process';
import { chown } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { InfrastructureError, messageOf } from '../../errors.js';
import { descendantPids, signalPids } from './proc.js';

/** The OS account PostgreSQL programs run as: `postgres` when we are root (they refuse root), else ourselves. */
export interface RunAs {
  user: string;
  /** Set only when we must switch user (we are root). */
  uid?: number;
  gid?: number;
  home: string;
}

/** Looks the account up: `postgres` from /etc/passwd when running as root, else the current user. */
export function resolveRunAs(passwdPath = '/etc/passwd'): RunAs {
  if (process.getuid?.() !== 0) {
    const me = userInfo();
    return { user: me.username, home: me.homedir };
  }
  let passwd: string;
  try {
    passwd = readFileSync(passwdPath, 'utf8');
  } catch (err) {
    throw new InfrastructureError(`cannot read ${passwdPath} to find the postgres user: ${messageOf(err)}`, {
      cause: err,
    });
  }
  for (const line of passwd.split('\n')) {
    const [name, , uid, gid, , home] = line.split(':');
    if (name === 'postgres' && uid && gid) {
      return { user: 'postgres', uid: Number(uid), gid: Number(gid), home: home || '/' };
    }
  }
  throw new InfrastructureError(
    'running as root, but there is no `postgres` OS user to run PostgreSQL as: ' +
      'install PostgreSQL (`apt-get install -y postgresql`) or run Lifeboat as a non-root user',
  );
}

/** Hands `paths` to the run-as user (a no-op when we are not root). */
export async function chownToRunAs(runAs: RunAs, ...paths: string[]): Promise<void> {
  if (runAs.uid === undefined || runAs.gid === undefined) return;
  for (const p of paths) await chown(p, runAs.uid, runAs.gid);
}

/** Environment for PostgreSQL programs: ours without PG* variables (so PGPORT etc. cannot leak in). */
function toolEnv(runAs: RunAs): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG')) env[k] = v;
  env['HOME'] = runAs.home;
  env['USER'] = runAs.user;
  env['LOGNAME'] = runAs.user;
  return env;
}

/** Outcome of a program run to completion. */
export interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Options for {@link runTool}. */
export interface RunToolOptions {
  /** Working directory; must be readable by the run-as user. */
  cwd: string;
  /** Kills the program (and its children) and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** A file descriptor opened by us to be the program's stdin (so it reads files the run-as user cannot open). */
  stdinFd?: number;
}

/** Spawns a program as the run-as user, mapping a missing binary to an InfrastructureError. */
function spawnAs(runAs: RunAs, file: string, args: string[], options: Parameters<typeof spawn>[2]): ChildProcess {
  return spawn(file, args, { ...options, uid: runAs.uid, gid: runAs.gid, env: toolEnv(runAs) });
}

/** Runs a program to completion as the run-as user, capturing its output. Never rejects on a non-zero exit. */
export function runTool(runAs: RunAs, file: string, args: string[], options: RunToolOptions): Promise<ToolResult> {
  const { signal } = options;
  signal?.throwIfAborted();
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawnAs(runAs, file, args, { cwd: options.cwd, stdio: [options.stdinFd ?? 'ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const onAbort = (): void => {
      // pg_basebackup forks a WAL streamer: kill the whole tree.
      if (child.pid !== undefined) signalPids([child.pid, ...descendantPids(child.pid)], 'SIGKILL');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(new InfrastructureError(`cannot run ${file}: ${err.message}`, { cause: err }));
    });
    child.once('close', (code, sig) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) return reject(signal.reason);
      resolve({ code, signal: sig, stdout, stderr, durationMs: Date.now() - started });
    });
  });
}

/**
 * Spawns a long-running server as the run-as user, in its own session (a Ctrl-C aimed at Lifeboat
 * must not shut the lab down behind its back), with stdout and stderr appended to `logFd`.
 * Resolves once the process exists; rejects with an InfrastructureError when it cannot be spawned.
 */
export function spawnServer(
  runAs: RunAs,
  file: string,
  args: string[],
  options: { cwd: string; logFd: number },
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawnAs(runAs, file, args, {
      cwd: options.cwd,
      stdio: ['ignore', options.logFd, options.logFd],
      detached: true,
    });
    child.once('error', (err) => reject(new InfrastructureError(`cannot start ${file}: ${err.message}`, { cause: err })));
    child.once('spawn', () => {
      // Later errors (none expected: we signal by pid) must not crash the process.
      child.on('error', () => {});
      resolve(child);
    });
  });
}
