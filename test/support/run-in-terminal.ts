import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './run-cli.js';

export interface TerminalRun {
  /** The pty wrapper (test/support/pty-run.py); the CLI is its child. */
  wrapper: ChildProcess;
  /** What the CLI wrote to its terminal so far (stdout and stderr alike). */
  output(): string;
  /** Closes the terminal, as closing the window or losing the SSH connection does. */
  hangup(): void;
  /** Types a line at the terminal (Enter included). */
  type(line: string): void;
  /** The CLI's exit, as its parent saw it, and everything it wrote to the terminal. */
  done: Promise<{ code?: number; signal?: number; output: string; wrapperStderr: string }>;
}

/** Starts the CLI from source in a pseudo-terminal of its own (python3's pty module). */
export function startCliInTerminal(args: string[], env: NodeJS.ProcessEnv = {}): TerminalRun {
  const wrapper = spawn('python3', [join(ROOT, 'test/support/pty-run.py'), process.execPath, '--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  wrapper.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  wrapper.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ code?: number; signal?: number; output: string; wrapperStderr: string }>((resolve, reject) =>
    wrapper.on('close', () => {
      const last = err.trim().split('\n').at(-1) ?? '';
      try {
        resolve({ ...(JSON.parse(last) as { code?: number; signal?: number }), output: out, wrapperStderr: err });
      } catch {
        reject(new Error(`pty-run.py did not report an exit: ${err}`));
      }
    }),
  );
  return { wrapper, output: () => out, hangup: () => wrapper.stdin!.end('hangup\n'), type: (line) => wrapper.stdin!.write(`type ${line}\n`), done };
}
