import { z } from 'zod';
import { Duration } from '../util/duration.js';

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
