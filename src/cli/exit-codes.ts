import { LifeboatError } from '../errors.js';
import type { RunResult } from '../verify/run-result.js';

/** Exit codes, as in SPEC §6. */
export const EXIT = {
  /** Objectives met, runbook valid, policy compliant. */
  OK: 0,
  /** Objectives missed / not compliant. */
  MISSED: 1,
  /** Invalid input or usage. */
  INVALID: 2,
  /** The run could not complete (infrastructure, aborted, internal). */
  INCOMPLETE: 3,
} as const;

/** Maps any error to its exit code. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof LifeboatError) {
    switch (err.code) {
      case 'INVALID_INPUT':
      case 'INVALID_RUNBOOK':
        return EXIT.INVALID;
      default:
        return EXIT.INCOMPLETE;
    }
  }
  return EXIT.INCOMPLETE;
}

/** Exit code of a run: 0 met, 1 missed, 3 could not complete. */
export function exitCodeOf(r: Pick<RunResult, 'verdict'>): number {
  return r.verdict === 'met' ? EXIT.OK : r.verdict === 'missed' ? EXIT.MISSED : EXIT.INCOMPLETE;
}
