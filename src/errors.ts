/** Machine-readable error categories. Each maps to one CLI exit code (see cli/exit-codes.ts). */
export type ErrorCode =
  | 'INVALID_INPUT'
  | 'INVALID_RUNBOOK'
  | 'PROVIDER_ERROR'
  | 'STEP_TIMEOUT'
  | 'STEP_FAILED'
  | 'INFRASTRUCTURE'
  | 'ABORTED'
  | 'INTERNAL';

/** Base class of every error Lifeboat raises on purpose. */
export class LifeboatError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** One problem found in a runbook, with its position. */
export interface RunbookProblem {
  file: string;
  line: number;
  column: number;
  /** Dotted field path, e.g. `failover[0].timeout`. */
  path: string;
  message: string;
}

/** Formats a problem as `file:line:col: path: message`. */
export function formatProblem(p: RunbookProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.path || '(root)'}: ${p.message}`;
}

/** A runbook (or any input file) that cannot be used; carries every problem found in one pass. */
export class InvalidRunbookError extends LifeboatError {
  readonly problems: RunbookProblem[];
  constructor(problems: RunbookProblem[]) {
    super('INVALID_RUNBOOK', problems.map(formatProblem).join('\n'));
    this.problems = problems;
  }
}

/** Bad usage or input that is not a runbook (unknown flag, missing run id, unset env variable). */
export class InvalidInputError extends LifeboatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_INPUT', message, options);
  }
}

/** A provider call failed. `retryable` tells the engine whether trying again can help. */
export class ProviderError extends LifeboatError {
  readonly retryable: boolean;
  constructor(message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super('PROVIDER_ERROR', message, options);
    this.retryable = options?.retryable ?? true;
  }
}

/** Something the run needs is missing or broken on this machine (binaries, engine, permissions). */
export class InfrastructureError extends LifeboatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INFRASTRUCTURE', message, options);
  }
}

/** A step ran past its timeout. */
export class StepTimeoutError extends LifeboatError {
  constructor(readonly stepId: string, readonly timeoutMs: number) {
    super('STEP_TIMEOUT', `step "${stepId}" timed out after ${timeoutMs} ms`);
  }
}

/** A step failed after its retries. */
export class StepFailedError extends LifeboatError {
  constructor(readonly stepId: string, message: string, options?: { cause?: unknown }) {
    super('STEP_FAILED', `step "${stepId}" failed: ${message}`, options);
  }
}

/** The run was interrupted (SIGINT/SIGTERM). */
export class AbortedError extends LifeboatError {
  constructor(message = 'run aborted') {
    super('ABORTED', message);
  }
}

/** A bug: something Lifeboat itself got wrong (never the user's input). */
export class InternalError extends LifeboatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INTERNAL', message, options);
  }
}

/** Returns a readable message for any thrown value. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
