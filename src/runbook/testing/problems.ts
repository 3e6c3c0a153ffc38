import { defaultRegistry } from '../../cli/default-registry.js';
import { InvalidRunbookError, type RunbookProblem } from '../../errors.js';
import { parseRunbook } from '../load.js';

/** The problems parseRunbook reports; fails the test when the text is accepted or another error is thrown. */
export function problemsIn(text: string, file = 'rb.yaml'): RunbookProblem[] {
  try {
    parseRunbook(text, file, defaultRegistry());
  } catch (err) {
    if (err instanceof InvalidRunbookError) return err.problems;
    throw new Error(`expected InvalidRunbookError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected the runbook to be rejected, but it was accepted');
}

/** The path and message of each problem parseRunbook reports, in file order. */
export function pathsAndMessages(text: string, file = 'rb.yaml'): Array<{ path: string; message: string }> {
  return problemsIn(text, file).map(({ path, message }) => ({ path, message }));
}

/** Parses a runbook that must be valid (the test fails with its problems otherwise). */
export function accepted(text: string, file = 'rb.yaml') {
  return parseRunbook(text, file, defaultRegistry());
}

/** Line and column (1-based) of the first `needle` in `text`. */
export function positionOf(text: string, needle: string): { line: number; column: number } {
  const offset = text.indexOf(needle);
  if (offset < 0) throw new Error(`"${needle}" is not in the text`);
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}
