import pRetry, { AbortError } from 'p-retry';
import { InvalidInputError, LifeboatError, ProviderError } from '../errors.js';
import type { RetryPolicy } from '../runbook/fields.js';
import { ms } from '../util/duration.js';

/** Whether an error may be retried under a policy: non-retryable provider errors, bad input and listed types end retries. */
export function isRetryable(err: unknown, policy: RetryPolicy | undefined): boolean {
  if (err instanceof InvalidInputError) return false;
  if (err instanceof ProviderError && !err.retryable) return false;
  const listed = policy?.nonRetryableErrorTypes ?? [];
  if (err instanceof LifeboatError && listed.includes(err.code)) return false;
  if (err instanceof Error && listed.includes(err.name)) return false;
  return true;
}

/**
 * Runs `attempt` under a retry policy (as data) with p-retry. Without a policy the step runs once.
 * The run signal ends the retries; `onRetry` hears each failed attempt that will be retried.
 */
export async function withRetry<T>(
  attempt: (n: number) => Promise<T>,
  policy: RetryPolicy | undefined,
  signal: AbortSignal,
  onRetry: (err: unknown, attempt: number, delayMs: number) => void,
): Promise<T> {
  const max = policy?.maximumAttempts ?? 1;
  // One attempt and nothing to retry: skip p-retry's machinery (it matters for many small steps).
  if (max === 1) {
    if (signal.aborted) throw signal.reason;
    try {
      return await attempt(1);
    } catch (err) {
      throw err instanceof Error ? err : new ProviderError(String(err));
    }
  }
  const initial = policy ? ms(policy.initialInterval) : 0;
  const factor = policy?.backoffCoefficient ?? 2;
  const cap = policy?.maximumInterval ? ms(policy.maximumInterval) : initial * 100;
  let n = 0;
  // p-retry checks the signal again after a successful attempt; a success must stay a success.
  let succeeded = false;
  let value: T | undefined;
  return pRetry(
    async () => {
      n++;
      try {
        value = await attempt(n);
        succeeded = true;
        return value;
      } catch (err) {
        if (signal.aborted || !isRetryable(err, policy)) throw new AbortError(err instanceof Error ? err : new ProviderError(String(err)));
        throw err instanceof Error ? err : new ProviderError(String(err));
      }
    },
    {
      retries: max - 1,
      factor,
      minTimeout: initial,
      maxTimeout: cap,
      randomize: false,
      signal,
      onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
        if (retriesLeft > 0) onRetry(error, attemptNumber, Math.min(cap, initial * factor ** (attemptNumber - 1)));
      },
    },
  ).catch((err: unknown) => {
    if (succeeded) return value as T;
    // p-retry wraps AbortError; surface the original.
    if (err instanceof AbortError) throw err.originalError;
    throw err;
  });
}
