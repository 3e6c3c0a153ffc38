import type { ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** One process as seen in /proc/<pid>/stat. */
export interface ProcStat {
  pid: number;
  /** R, S, D, T (stopped), Z (zombie), ... */
  state: string;
  ppid: number;
}

/** Reads /proc/<pid>/stat; undefined when the process is gone. */
export function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name sits in parentheses and may itself contain spaces or parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pid, state: fields[0] ?? '?', ppid: Number(fields[1]) };
}

/** Pids of every process currently listed in /proc. */
export function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** Every live (non-zombie) descendant of `pid`, children before grandchildren. */
export function descendantPids(pid: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const p of allPids()) {
    const stat = readStat(p);
    if (!stat || stat.state === 'Z') continue;
    const siblings = byParent.get(stat.ppid) ?? [];
    siblings.push(p);
    byParent.set(stat.ppid, siblings);
  }
  const result: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = byParent.get(queue.shift()!) ?? [];
    result.push(...next);
    queue.push(...next);
  }
  return result;
}

/** Whether `pid` exists and is not a zombie (a zombie has released everything but its pid). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

/** Sends `signal` to each pid, ignoring processes that are already gone. */
export function signalPids(pids: Iterable<number>, signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
}

/** Captures the tree of `pid` first, then signals the root and every descendant at once. Returns the pids signalled. */
export function signalTree(pid: number, signal: NodeJS.Signals): number[] {
  const pids = [pid, ...descendantPids(pid)];
  signalPids(pids, signal);
  return pids;
}

/** The NUL-separated arguments of `pid`, or undefined when unreadable. */
export function readCmdline(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((a) => a.length > 0);
  } catch {
    return undefined;
  }
}

/** The working directory of `pid`, or undefined when unreadable. */
export function readCwd(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

/**
 * Live processes that belong to `dir`: an argument names it (or a path under it), or their working
 * directory lies under it (PostgreSQL children chdir to the data directory and rename themselves).
 */
export function pidsUsing(dir: string): number[] {
  const result: number[] = [];
  for (const pid of allPids()) {
    if (pid === process.pid) continue;
    const cwd = readCwd(pid);
    const args = readCmdline(pid) ?? [];
    const named = args.some((a) => a.includes(`${dir}/`) || a === dir || a.endsWith(`=${dir}`));
    if ((named || (cwd !== undefined && isUnder(cwd, dir))) && isAlive(pid)) result.push(pid);
  }
  return result;
}

/** Resolves when `child` has exited and been reaped by us. */
export function childExited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Waits until every pid is gone or a zombie (pids that are not our children are reaped by init,
 * late on some machines). Returns the pids still alive at the deadline.
 */
export async function waitForPidsGone(pids: Iterable<number>, timeoutMs: number, pollMs = 10): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = [...pids].filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(pollMs);
    alive = alive.filter(isAlive);
  }
  return alive;
}

/** Waits for a process to exit: through the 'exit' event of our own child, else by polling. */
export async function waitForExit(pid: number, timeoutMs: number, child?: ChildProcess): Promise<boolean> {
  if (child) {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const exited = await Promise.race([childExited(child).then(() => true as const), timedOut]);
    clearTimeout(timer);
    return exited;
  }
  return (await waitForPidsGone([pid], timeoutMs)).length === 0;
}
