import { InvalidInputError, messageOf } from '../errors.js';
import { redactText, redactValue, registerSecrets } from '../log.js';
import { runNotification } from '../report/notification.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import type { RunResult } from '../verify/run-result.js';

/** How long a webhook may take to answer unless `--notify-timeout` says otherwise. */
export const DEFAULT_NOTIFY_TIMEOUT_MS = 10_000;

/** A checked `--notify` target. */
export interface WebhookTarget {
  /** The URL posted to, without user info. */
  url: string;
  /** `Authorization: Basic …` from user info in the URL (fetch refuses URLs that carry it). */
  authorization?: string;
  /** What messages show of it: scheme, host and port only (a webhook's path is often its secret). */
  shown: string;
  timeoutMs: number;
}

/**
 * Checks `--notify <url>` and `--notify-timeout <duration>` before a run starts (a bad value is
 * exit 2, with nothing run), and masks the URL in every log from then on: chat webhook URLs
 * are credentials.
 */
export function webhookTarget(url: string, timeout?: string): WebhookTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidInputError('--notify: not a URL (expected http:// or https://…)');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new InvalidInputError(`--notify: expected an http or https URL, got ${parsed.protocol}`);
  const timeoutMs = timeout === undefined ? DEFAULT_NOTIFY_TIMEOUT_MS : parseDuration(timeout);
  if (timeoutMs === undefined || timeoutMs <= 0 || timeoutMs > 300_000) throw new InvalidInputError(`--notify-timeout: expected a duration from 1ms to 5m such as 10s, got ${timeout}`);
  registerSecrets([url, parsed.pathname.length > 1 ? `${parsed.pathname}${parsed.search}` : undefined, parsed.password ? decodeURIComponent(parsed.password) : undefined]);
  let authorization: string | undefined;
  if (parsed.username || parsed.password) {
    authorization = `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}`;
    parsed.username = '';
    parsed.password = '';
  }
  return { url: parsed.toString(), ...(authorization ? { authorization } : {}), shown: parsed.origin, timeoutMs };
}

/**
 * Posts a finished run to a webhook as JSON (`text` for chat, `result` as data), secrets masked.
 * Never throws and never waits longer than the target's timeout: a notification that fails is
 * reported through `warn` and changes nothing about the run. Resolves whether it was delivered
 * (a 2xx answer). Reusable by every command that ends a run.
 */
export async function notifyRunEnded(result: RunResult, target: WebhookTarget, warn: (message: string) => void): Promise<boolean> {
  let body: string;
  try {
    body = JSON.stringify(redactValue(runNotification(result)));
  } catch (err) {
    warn(`could not notify ${target.shown}: ${redactText(messageOf(err))}`);
    return false;
  }
  const signal = AbortSignal.timeout(target.timeoutMs);
  try {
    const res = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(target.authorization ? { authorization: target.authorization } : {}) },
      body,
      signal,
      redirect: 'error',
    });
    // The answer's body is not needed: release the connection rather than wait for it.
    await res.body?.cancel().catch(() => {});
    if (res.ok) return true;
    warn(`could not notify ${target.shown}: the webhook answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    return false;
  } catch (err) {
    const why = signal.aborted ? `no answer within ${formatDuration(target.timeoutMs)}` : messageOf((err as { cause?: unknown }).cause ?? err);
    warn(`could not notify ${target.shown}: ${redactText(why)}`);
    return false;
  }
}
