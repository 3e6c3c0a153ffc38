import { spawn } from 'node:child_process';
import { z } from 'zod';
import { ProviderError } from '../../errors.js';
import { Duration, ms, StringMap } from '../../util/duration.js';
import type { ActionDef, ProbeDef, StepOutput } from '../types.js';

const OUTPUT_LIMIT = 64 * 1024;

const ExecParams = z.object({
  command: z
    .union([z.array(z.string()).min(1), z.string().min(1)])
    .describe('argv array run without a shell, e.g. [pg_ctl, promote, -D, /data]; a string only with shell: true.'),
  shell: z.boolean().default(false).describe('Run `command` (a string) through /bin/sh -c.'),
  env: StringMap.optional().describe('Extra environment variables (values may use ${env:NAME}).'),
  cwd: z.string().optional().describe('Working directory.'),
  expectExitCodes: z.array(z.int()).default([0]).describe('Exit codes that count as success.'),
  killAfter: Duration.optional().describe('Grace period between SIGTERM and SIGKILL when aborted (default 2s).'),
});
export type ExecParams = z.output<typeof ExecParams>;

function validateExec(p: ExecParams): Array<{ path: string; message: string }> {
  if (typeof p.command === 'string' && !p.shell)
    return [{ path: 'command', message: 'a string command needs shell: true (or give an argv array)' }];
  if (Array.isArray(p.command) && p.shell)
    return [{ path: 'shell', message: 'shell: true needs command as one string' }];
  return [];
}

/** Result of one command run. */
export interface ExecResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Runs a command (argv, no shell unless asked) with a signal that kills its whole process group. */
export function runCommand(p: ExecParams, signal: AbortSignal): Promise<ExecResult> {
  const argv = typeof p.command === 'string' ? ['/bin/sh', '-c', p.command] : p.command;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: p.cwd,
      env: { ...process.env, ...p.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < OUTPUT_LIMIT) stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < OUTPUT_LIMIT) stderr += d.toString('utf8');
    });
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      timers.forEach(clearTimeout);
      // A daemon the command left behind may hold the pipes open: stop reading them.
      child.stdout.destroy();
      child.stderr.destroy();
      fn();
    };
    const result = (code: number | null, sig: NodeJS.Signals | null): ExecResult => ({
      exitCode: code,
      signal: sig,
      stdout: stdout.slice(0, OUTPUT_LIMIT),
      stderr: stderr.slice(0, OUTPUT_LIMIT),
      durationMs: performance.now() - started,
    });
    const killGroup = (sig: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, sig);
      } catch {
        /* already gone */
      }
    };
    function onAbort() {
      killGroup('SIGTERM');
      const grace = p.killAfter ? ms(p.killAfter) : 2000;
      timers.push(setTimeout(() => killGroup('SIGKILL'), grace));
      // Settle even if the process (or a daemon holding its pipes) never closes them.
      timers.push(setTimeout(() => finish(() => reject(signal.reason)), grace + 500));
    }
    signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => finish(() => reject(new ProviderError(`cannot run ${argv[0]}: ${err.message}`, { cause: err, retryable: false }))));
    // 'close' waits for every holder of the pipes; 'exit' does not. After the exit, give the
    // output a moment to drain, then settle whether or not a background process keeps the pipes.
    child.on('exit', (code, sig) => {
      timers.push(setTimeout(() => finish(() => (signal.aborted ? reject(signal.reason) : resolve(result(code, sig)))), 200));
    });
    child.on('close', (code, sig) => finish(() => (signal.aborted ? reject(signal.reason) : resolve(result(code, sig)))));
  });
}

function describeFailure(p: ExecParams, r: ExecResult): string {
  const how = r.signal ? `killed by ${r.signal}` : `exit code ${r.exitCode}`;
  const tail = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ');
  return `command ${JSON.stringify(p.command)} ended with ${how}${tail ? `: ${tail}` : ''}`;
}

/** `exec`: run a command; usable as a fault, a failover or failback step. */
export const execAction: ActionDef<ExecParams> = {
  name: 'exec',
  description: 'Run a command (argv array, no shell unless `shell: true`); its exit code, stdout and stderr are the output.',
  phases: ['fault', 'failover', 'failback'],
  target: 'optional',
  params: ExecParams,
  mutates: true,
  validate: validateExec,
  async run(ctx, p): Promise<StepOutput> {
    const r = await runCommand(p, ctx.signal);
    if (r.exitCode === null || !p.expectExitCodes.includes(r.exitCode)) throw new ProviderError(describeFailure(p, r));
    return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  },
};

/** `exec` probe: healthy when the command exits with an expected code. */
export const execProbe: ProbeDef<ExecParams> = {
  type: 'exec',
  description: 'Healthy while a command exits with an expected code.',
  targets: 'none',
  params: ExecParams,
  validate: validateExec,
  create(_ctx, p) {
    return {
      async check(signal) {
        try {
          const r = await runCommand(p, signal);
          if (r.exitCode !== null && p.expectExitCodes.includes(r.exitCode)) return { ok: true };
          return { ok: false, error: describeFailure(p, r) };
        } catch (err) {
          return { ok: false, error: err instanceof Error ? err.message : String(err) };
        }
      },
      async close() {},
    };
  },
};
