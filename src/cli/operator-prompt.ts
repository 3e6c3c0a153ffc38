import { createInterface } from 'node:readline';
import { userInfo } from 'node:os';
import { AbortedError } from '../errors.js';
import type { Approval } from '../providers/types.js';
import { writeErr } from './output.js';

/**
 * Reads one line typed at the terminal (stdin), after a prompt on stderr. Resolves undefined when
 * stdin ends. Not in raw mode: Ctrl-C stays a signal, which the run's handlers act on.
 */
export function readLine(prompt: string, signal?: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const rl = createInterface({ input: process.stdin, terminal: false });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      rl.close();
      // Give the terminal back: a paused stdin does not keep the process alive.
      process.stdin.pause();
      fn();
    };
    const onAbort = () => finish(() => reject(signal?.reason ?? new AbortedError()));
    signal?.addEventListener('abort', onAbort, { once: true });
    rl.once('line', (line) => finish(() => resolve(line)));
    rl.once('close', () => finish(() => resolve(undefined)));
    writeErr(prompt);
  });
}

/** The name `lifeboat approve` records as the approver. */
export function approverName(): string {
  try {
    return `approve:${userInfo().username}`;
  } catch {
    return `approve:uid-${process.getuid?.() ?? 'unknown'}`;
  }
}

/**
 * Asks the operator at this terminal to confirm a `manual` step: `yes` confirms; anything else
 * asks again. The other way in (`lifeboat approve`) stays open meanwhile.
 */
export async function askAtTerminal(stepId: string, _instructions: string, signal: AbortSignal): Promise<Approval> {
  for (;;) {
    const line = await readLine(`  type "yes" when step ${stepId} is done: `, signal);
    // stdin ended: only `lifeboat approve` can confirm now.
    if (line === undefined) return new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    if (line.trim().toLowerCase() === 'yes') return { by: 'terminal', at: Date.now() };
  }
}
