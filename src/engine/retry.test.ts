import { describe, expect, it } from 'vitest';
import { AbortedError, InvalidInputError, LifeboatError, ProviderError, StepTimeoutError } from '../errors.js';
import type { RetryPolicy } from '../runbook/fields.js';
import { isRetryable, withRetry } from './retry.js';

const policy = (p: Partial<RetryPolicy> = {}): RetryPolicy => ({
  maximumAttempts: 3,
  initialInterval: '5ms',
  backoffCoefficient: 2,
  nonRetryableErrorTypes: [],
  ...p,
});

const never = () => new AbortController().signal;

/** Runs withRetry with an attempt that fails with `errors[n-1]` (or succeeds with `ok` past the end). */
async function run(errors: unknown[], retryPolicy: RetryPolicy | undefined, signal = never()) {
  const attempts: number[] = [];
  const retries: Array<{ err: unknown; attempt: number; delayMs: number }> = [];
  const outcome: { value?: string; error?: unknown } = await withRetry(
    async (n) => {
      attempts.push(n);
      if (n <= errors.length) throw errors[n - 1];
      return `ok after ${n}`;
    },
    retryPolicy,
    signal,
    (err, attempt, delayMs) => retries.push({ err, attempt, delayMs }),
  ).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  return { ...outcome, attempts, retries };
}

describe('withRetry', () => {
  it('runs an attempt once when there is no policy', async () => {
    const boom = new ProviderError('boom');
    const r = await run([boom], undefined);
    expect(r.attempts).toEqual([1]);
    expect(r.error).toBe(boom);
    expect(r.retries).toEqual([]);
  });

  it('returns the value of the first attempt that succeeds', async () => {
    const r = await run([new ProviderError('once'), new ProviderError('twice')], policy({ maximumAttempts: 5 }));
    expect(r.value).toBe('ok after 3');
    expect(r.attempts).toEqual([1, 2, 3]);
  });

  it('makes exactly maximumAttempts attempts, then fails with the last error', async () => {
    const errors = [new ProviderError('1'), new ProviderError('2'), new ProviderError('3'), new ProviderError('4')];
    const r = await run(errors, policy({ maximumAttempts: 3 }));
    expect(r.attempts).toEqual([1, 2, 3]);
    expect(r.error).toBe(errors[2]);
  });

  it('tells onRetry about each failure that will be retried, with the backoff delay', async () => {
    const errors = [new ProviderError('1'), new ProviderError('2'), new ProviderError('3'), new ProviderError('4')];
    const r = await run(errors, policy({ maximumAttempts: 4, initialInterval: '2ms', backoffCoefficient: 3 }));
    expect(r.retries).toEqual([
      { err: errors[0], attempt: 1, delayMs: 2 },
      { err: errors[1], attempt: 2, delayMs: 6 },
      { err: errors[2], attempt: 3, delayMs: 18 },
    ]);
  });

  it('caps the delay at maximumInterval', async () => {
    const errors = Array.from({ length: 5 }, (_, i) => new ProviderError(String(i)));
    const r = await run(errors, policy({ maximumAttempts: 5, initialInterval: '4ms', maximumInterval: '10ms' }));
    expect(r.retries.map((x) => x.delayMs)).toEqual([4, 8, 10, 10]);
  });

  it('waits between attempts as long as the policy says', async () => {
    const started: number[] = [];
    await withRetry(
      async () => {
        started.push(performance.now());
        throw new ProviderError('again');
      },
      policy({ maximumAttempts: 3, initialInterval: '40ms', backoffCoefficient: 2 }),
      never(),
      () => {},
    ).catch(() => {});
    expect(started).toHaveLength(3);
    // Timers may fire a little late, never early (1 ms of slack for clock rounding).
    expect(started[1]! - started[0]!).toBeGreaterThanOrEqual(39);
    expect(started[2]! - started[1]!).toBeGreaterThanOrEqual(79);
  });

  it.each([
    ['a provider error marked not retryable', new ProviderError('gone', { retryable: false }), policy()],
    ['bad input', new InvalidInputError('no such env'), policy()],
    ['an error whose code is listed', new StepTimeoutError('s', 10), policy({ nonRetryableErrorTypes: ['STEP_TIMEOUT'] })],
    ['an error whose name is listed', new RangeError('out of range'), policy({ nonRetryableErrorTypes: ['RangeError'] })],
  ])('stops at once, with that very error, on %s', async (_, error, p) => {
    const r = await run([error, error, error], p);
    expect(r.attempts).toEqual([1]);
    expect(r.error).toBe(error);
    expect(r.retries).toEqual([]);
  });

  it('retries errors whose type is not listed', async () => {
    const r = await run([new StepTimeoutError('s', 10)], policy({ nonRetryableErrorTypes: ['PROVIDER_ERROR'] }));
    expect(r.value).toBe('ok after 2');
  });

  it('turns a thrown non-error into an Error with its text', async () => {
    const r = await run(['just a string'], undefined);
    expect(r.error).toBeInstanceOf(Error);
    expect((r.error as Error).message).toBe('just a string');
  });

  it('stops retrying when the signal is aborted during the wait, with the abort reason', async () => {
    const controller = new AbortController();
    const reason = new AbortedError('interrupted');
    const attempts: number[] = [];
    const started = performance.now();
    const error = await withRetry(
      async (n) => {
        attempts.push(n);
        setTimeout(() => controller.abort(reason), 20);
        throw new ProviderError('down');
      },
      policy({ maximumAttempts: 10, initialInterval: '10s' }),
      controller.signal,
      () => {},
    ).catch((e: unknown) => e);
    expect(error).toBe(reason);
    expect(attempts).toEqual([1]);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('does not retry an attempt that failed because the signal was aborted, and keeps its error', async () => {
    const controller = new AbortController();
    const failure = new ProviderError('connection closed by abort');
    const attempts: number[] = [];
    const error = await withRetry(
      async (n) => {
        attempts.push(n);
        controller.abort(new AbortedError());
        throw failure;
      },
      policy({ maximumAttempts: 5 }),
      controller.signal,
      () => {},
    ).catch((e: unknown) => e);
    expect(attempts).toEqual([1]);
    expect(error).toBe(failure);
  });

  it('runs no attempt when the signal is already aborted', async () => {
    const controller = new AbortController();
    const reason = new AbortedError('before start');
    controller.abort(reason);
    const r = await run([], policy(), controller.signal);
    expect(r.attempts).toEqual([]);
    expect(r.error).toBe(reason);
  });
});

describe('isRetryable', () => {
  it('retries provider errors unless they say otherwise', () => {
    expect(isRetryable(new ProviderError('x'), undefined)).toBe(true);
    expect(isRetryable(new ProviderError('x', { retryable: false }), undefined)).toBe(false);
  });

  it('never retries bad input', () => {
    expect(isRetryable(new InvalidInputError('x'), undefined)).toBe(false);
  });

  it('does not retry error codes and names the policy lists', () => {
    const p = policy({ nonRetryableErrorTypes: ['INFRASTRUCTURE', 'SyntaxError'] });
    expect(isRetryable(new LifeboatError('INFRASTRUCTURE', 'x'), p)).toBe(false);
    expect(isRetryable(new SyntaxError('x'), p)).toBe(false);
    expect(isRetryable(new LifeboatError('PROVIDER_ERROR', 'x'), p)).toBe(true);
    expect(isRetryable(new Error('x'), p)).toBe(true);
    expect(isRetryable('a string', p)).toBe(true);
  });
});
