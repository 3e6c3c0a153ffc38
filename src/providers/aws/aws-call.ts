import pRetry, { AbortError } from 'p-retry';
import { ProviderError } from '../../errors.js';
import type { AwsService } from './aws-clients.js';

/** A client as far as a call needs it: the SDK's `send` (which aws-sdk-client-mock replaces). */
export interface SendsCommands {
  send(command: any, options?: { abortSignal?: AbortSignal }): Promise<any>;
}

/** How one SDK call is made: what to name in errors, and how hard to retry. */
export interface AwsCallOptions {
  /** What the call is for, named in every error: e.g. `aws.rds.promote-replica on resource "db"`. */
  what: string;
  signal?: AbortSignal;
  /** Attempts in all (default 5). */
  attempts?: number;
  /** First backoff delay (default 200 ms), doubled per retry up to `maxDelayMs` (default 5 s). */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Hears each failure that will be retried. */
  onRetry?: (err: unknown, attempt: number) => void;
}

const THROTTLING = new Set([
  'Throttling', 'ThrottlingException', 'ThrottledException', 'RequestThrottledException', 'TooManyRequestsException',
  'ProvisionedThroughputExceededException', 'TransactionInProgressException', 'RequestLimitExceeded', 'BandwidthLimitExceeded',
  'LimitExceededException', 'RequestThrottled', 'SlowDown', 'PriorRequestNotComplete', 'EC2ThrottledException',
]);
const TRANSIENT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'InternalError', 'ServiceUnavailable', 'InternalFailure']);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedAccess', 'AuthorizationError', 'Forbidden']);

interface SdkErrorShape {
  name?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number };
}

/** Whether an SDK error is throttling, a server fault, a timeout or a dropped connection: worth trying again. */
export function isTransientAwsError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as SdkErrorShape;
  if (e.name && (THROTTLING.has(e.name) || TRANSIENT_NAMES.has(e.name))) return true;
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  if (e.$retryable) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status === 429 || (status !== undefined && status >= 500)) return true;
  return e.$fault === 'server';
}

/** Whether an SDK error says the credentials lack a permission. */
export function isAccessDenied(err: unknown): boolean {
  const e = err as SdkErrorShape | undefined;
  return !!e && (ACCESS_DENIED.has(e.name ?? '') || e.$metadata?.httpStatusCode === 403);
}

/** IAM action names that differ from the S3 API operation they authorise. */
const S3_ACTIONS: Record<string, string> = {
  ListObjectVersions: 's3:ListBucketVersions',
  ListObjectsV2: 's3:ListBucket',
  ListObjects: 's3:ListBucket',
  HeadBucket: 's3:ListBucket',
  HeadObject: 's3:GetObject',
  GetBucketReplication: 's3:GetReplicationConfiguration',
  GetObjectLockConfiguration: 's3:GetBucketObjectLockConfiguration',
  CopyObject: 's3:PutObject',
  DeleteObjects: 's3:DeleteObject',
};

/** The IAM action that authorises an SDK command, e.g. `rds:PromoteReadReplica` for `PromoteReadReplicaCommand`. */
export function iamActionOf(service: AwsService, commandName: string): string {
  const operation = commandName.replace(/Command$/, '');
  if (service === 's3') return S3_ACTIONS[operation] ?? `s3:${operation}`;
  return `${service}:${operation}`;
}

function commandNameOf(command: unknown): string {
  return (command as { constructor?: { name?: string } })?.constructor?.name ?? 'UnknownCommand';
}

function describe(err: unknown): string {
  const e = err as SdkErrorShape & { message?: string };
  const name = e?.name && e.name !== 'Error' ? `${e.name}: ` : '';
  return `${name}${e?.message ?? String(err)}`;
}

/**
 * Sends one SDK command, retrying throttling, 5xx, timeouts and dropped connections with
 * exponential backoff (the SDK's own retries are off). Anything else — access denied, not found,
 * invalid state — ends at once as a non-retryable ProviderError naming what the call was for and,
 * for access denied, the IAM permission it needs.
 */
export async function awsCall<T = any>(service: AwsService, client: SendsCommands, command: object, opts: AwsCallOptions): Promise<T> {
  const operation = commandNameOf(command).replace(/Command$/, '');
  const attempts = opts.attempts ?? 5;
  const minDelay = opts.minDelayMs ?? 200;
  const maxDelay = opts.maxDelayMs ?? 5000;
  try {
    return await pRetry(
      async (attempt) => {
        try {
          return (await client.send(command, opts.signal ? { abortSignal: opts.signal } : undefined)) as T;
        } catch (err) {
          if (opts.signal?.aborted || !isTransientAwsError(err) || attempt >= attempts) throw new AbortError(err as Error);
          throw err;
        }
      },
      {
        retries: attempts - 1,
        minTimeout: minDelay,
        maxTimeout: maxDelay,
        factor: 2,
        randomize: true,
        signal: opts.signal,
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          if (retriesLeft > 0) opts.onRetry?.(error, attemptNumber);
        },
      },
    );
  } catch (wrapped) {
    const err = wrapped instanceof AbortError ? wrapped.originalError : wrapped;
    if (opts.signal?.aborted) throw opts.signal.reason ?? err;
    if (isAccessDenied(err)) {
      throw new ProviderError(`${opts.what}: access denied for ${iamActionOf(service, operation)} (${describe(err)})`, { cause: err, retryable: false });
    }
    const transient = isTransientAwsError(err);
    throw new ProviderError(
      `${opts.what}: ${service} ${operation} failed${transient ? ` after ${attempts} attempts` : ''}: ${describe(err)}`,
      { cause: err, retryable: transient },
    );
  }
}
