import { isWritable } from './stdio-guard.js';

// Results go to stdout, messages and progress to stderr. Each writer checks that its stream has
// not failed (see stdio-guard.ts): a closed pipe or terminal makes output a no-op, not a crash.

/** Writes a line to stdout (results go to stdout; logs go to stderr). */
export function out(text = ''): void {
  if (isWritable(process.stdout)) process.stdout.write(`${text}\n`);
}

/** Writes a value as indented JSON to stdout. */
export function outJson(value: unknown): void {
  if (isWritable(process.stdout)) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Writes text to stdout as is (commander's help), unless stdout is gone. */
export function writeOut(text: string): void {
  if (isWritable(process.stdout)) process.stdout.write(text);
}

/** Writes text to stderr as is (messages, progress), unless stderr is gone. */
export function writeErr(text: string): void {
  if (isWritable(process.stderr)) process.stderr.write(text);
}

/** Resolves once what was written to stdout has been handed to the OS, or at once when stdout is gone. */
export function flushStdout(): Promise<void> {
  if (!isWritable(process.stdout)) return Promise.resolve();
  return new Promise((resolve) => process.stdout.write('', () => resolve()));
}
