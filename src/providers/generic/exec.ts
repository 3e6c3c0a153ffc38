import { spawn } from 'node:child_process';
import { z } from 'zod';
import { ProviderError } from '../../errors.js';
import { Duration, ms, StringMap } from '../../runbook/fields.js';
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
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
      killTimer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, p.killAfter ? ms(p.killAfter) : 2000);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      reject(new ProviderError(`cannot run ${argv[0]}: ${err.message}`, { cause: err, retryable: false }));
    });
    child.on('close', (code, sig) => {
      signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      if (signal.aborted) return reject(signal.reason);
      resolve({
        exitCode: code,
        signal: sig,
        stdout: stdout.slice(0, OUTPUT_LIMIT),
        stderr: stderr.slice(0, OUTPUT_LIMIT),
        durationMs: performance.now() - started,
      });
    });
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
