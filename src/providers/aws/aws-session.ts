import { InternalError, ProviderError } from '../../errors.js';
import { sleep } from '../../util/abort.js';
import type { ProviderContext, ResourceRef } from '../types.js';
import { awsCall } from './aws-call.js';
import { AwsClients, type AwsService, type AwsSettings, type AwsTarget } from './aws-clients.js';

/**
 * What the command line gives the AWS provider (`ctx.settings.aws`): `--profile`, `--region`,
 * `--allow-untagged`, and for tests and benchmarks how fast waiters poll and retries back off.
 */
export interface AwsRunSettings extends AwsSettings {
  /** `--allow-untagged`: together with the runbook's `safety.allowUntagged`, a fault may touch those untagged resources. */
  allowUntagged?: boolean;
  /** Time between two polls of a waiter (default 5 s). */
  pollIntervalMs?: number;
  /** First retry delay of a throttled or failed call (default 200 ms), doubled up to `retryMaxDelayMs` (default 5 s). */
  retryMinDelayMs?: number;
  retryMaxDelayMs?: number;
  /** Attempts per SDK call (default 5). */
  attempts?: number;
}

/** Where the `postgres.*` probes reach an RDS instance or cluster: read from its endpoint by preflight (or on first use). */
export interface PgEndpoint {
  host: string;
  port: number;
}

/** One run's AWS state: clients (created on first use), settings, and the resolved database endpoints. */
export class AwsSession {
  readonly endpoints = new Map<string, PgEndpoint>();
  /** Resolutions in flight, so a probe asking repeatedly starts one lookup. */
  readonly resolving = new Map<string, Promise<void>>();
  /** FIS experiments this run started that may still run, with their region: stopped when the run ends. */
  readonly experiments = new Map<string, string | undefined>();

  constructor(
    readonly settings: AwsRunSettings = {},
    readonly clients: AwsClients = new AwsClients(settings),
  ) {}

  /** Sends one command through `awsCall` (Lifeboat's retry layer), with the client for the target's region and endpoint. */
  async call<T = any>(service: AwsService, target: AwsTarget, command: object, what: string, signal?: AbortSignal, attempts = this.settings.attempts): Promise<T> {
    const client = await this.clients.get(service, target);
    return awsCall<T>(service, client, command, {
      what,
      ...(signal ? { signal } : {}),
      ...(attempts !== undefined ? { attempts } : {}),
      ...(this.settings.retryMinDelayMs !== undefined ? { minDelayMs: this.settings.retryMinDelayMs } : {}),
      ...(this.settings.retryMaxDelayMs !== undefined ? { maxDelayMs: this.settings.retryMaxDelayMs } : {}),
    });
  }

  get pollIntervalMs(): number {
    return this.settings.pollIntervalMs ?? 5000;
  }

  close(): void {
    this.clients.destroy();
  }
}

/** The AWS session of an action, probe or preflight (what the provider's `open` returned). */
export function awsSession(ctx: { session?: unknown }): AwsSession {
  if (!(ctx.session instanceof AwsSession)) throw new InternalError('the AWS provider session is not open');
  return ctx.session;
}

/** The AWS session of the run, seen from any provider's context (the `postgres.*` probes reach RDS through it). */
export function awsSessionOf(ctx: ProviderContext): AwsSession | undefined {
  const s = ctx.sessionOf?.('aws');
  return s instanceof AwsSession ? s : undefined;
}

/** Where a resource's calls go: its own region wins over `--region`/`AWS_REGION`; its endpoint, if any. */
export function targetOf(ref: ResourceRef): AwsTarget {
  const t: AwsTarget = {};
  if (typeof ref.spec.region === 'string') t.region = ref.spec.region;
  if (typeof ref.spec.endpoint === 'string') t.endpoint = ref.spec.endpoint;
  return t;
}

/** How an action, probe or preflight names itself in errors: `aws.rds.promote-replica on resource "dr-db"`. */
export function what(action: string, ref: ResourceRef | undefined): string {
  return ref ? `${action} on resource "${ref.name}"` : action;
}

/** The target of an action step, which validation guarantees is there. */
export function requireTarget(ctx: { target?: ResourceRef; stepId: string }): ResourceRef {
  if (!ctx.target) throw new InternalError(`step ${ctx.stepId} has no target`);
  return ctx.target;
}

export interface WaitOptions<T> {
  /** Named in the timeout and failure messages: action and resource. */
  what: string;
  /** What the waiter waits for, in words: `the replica to be promoted and available`. */
  until: string;
  signal: AbortSignal;
  intervalMs: number;
  /** One poll: a value when the change really happened, undefined to poll again. Its SDK calls go through `awsCall`. */
  poll: () => Promise<T | undefined>;
}

/**
 * Polls until `poll` says the change really happened. A non-retryable error (access denied, not
 * found, invalid state) ends the wait at once with `awsCall`'s message, which names the action,
 * the resource and the missing permission; a retryable one that outlasted its call's retries is
 * polled again (the step's timeout bounds the whole wait). The SDK's own waiters are not used:
 * they call `send` directly and poll an AccessDenied until they time out.
 */
export async function waitUntil<T>(o: WaitOptions<T>): Promise<T> {
  for (;;) {
    try {
      const v = await o.poll();
      if (v !== undefined) return v;
    } catch (err) {
      if (o.signal.aborted) throw o.signal.reason ?? err;
      if (!(err instanceof ProviderError) || !err.retryable) throw err;
    }
    // The step's timeout or an interruption ends the wait with the engine's own reason.
    await sleep(o.intervalMs, o.signal);
  }
}
