import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from '../util/duration.js';

/** A duration string such as `250ms`, `30s`, `5m`, `2h` or `1m30s`. */
export const Duration = z
  .string()
  .regex(new RegExp(DURATION_PATTERN), { message: 'expected a duration such as 250ms, 30s, 5m or 2h' })
  .describe('Duration: a number and a unit (ms, s, m, h, d), e.g. 250ms, 30s, 5m, 2h, 1m30s.');

/** Converts a validated duration string to milliseconds. */
export function ms(d: string): number {
  const v = parseDuration(d);
  if (v === undefined) throw new Error(`not a duration: ${d}`);
  return v;
}

/** A name used as a key or reference: letters, digits, `-`, `_`, `.`. */
export const Name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, { message: 'expected a name of letters, digits, "-", "_" or "." (at most 63 characters)' });

/** Retry policy as data, as in Temporal: validated before anything runs. */
export const RetryPolicy = z
  .strictObject({
    maximumAttempts: z.int().min(1).max(1000).default(3).describe('Attempts in all, the first included.'),
    initialInterval: Duration.default('1s').describe('Wait before the first retry.'),
    backoffCoefficient: z.number().min(1).max(100).default(2).describe('Each wait is the previous one times this.'),
    maximumInterval: Duration.optional().describe('Cap on the wait between attempts (default: 100 × initialInterval).'),
    nonRetryableErrorTypes: z
      .array(z.string())
      .default([])
      .describe('Error codes (e.g. STEP_TIMEOUT, PROVIDER_ERROR) or error names that end the retries at once.'),
  })
  .describe('Retry policy of a step.');
export type RetryPolicy = z.output<typeof RetryPolicy>;

/** A map of string values (environment variables, HTTP headers). */
export const StringMap = z.record(z.string(), z.string());
