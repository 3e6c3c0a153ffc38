import { join } from 'node:path';
import { runDrill, type RunOptions } from '../engine/run-drill.js';
import { exitCodeOf } from './exit-codes.js';
import { AbortedError, messageOf } from '../errors.js';
import { createLogger, redactText } from '../log.js';
import { writeReports } from './write-reports.js';
import { printSummary } from './run-summary.js';
import { openStore } from '../store/open-store.js';
import type { RunbookLock } from '../store/history-store.js';
import type { GlobalOptions } from './global-options.js';
import { outJson, writeErr } from './output.js';
import { lastSuccessAt } from './last-success.js';
import { notifyRunEnded, webhookTarget } from './notify-webhook.js';
import { askAtTerminal } from './operator-prompt.js';

export interface SessionOptions {
  json?: boolean;
  out?: string;
  /** Webhook to post the result to when the run ends (`--notify`), and how long it may take. */
  notify?: string;
  notifyTimeout?: string;
  /** `--allow-untagged` (see `safety.allowUntagged`). */
  allowUntagged?: boolean;
  /** `--dry-run`: preflight and plan only. */
  dryRun?: boolean;
}

/** Provider settings from the command line: `--profile`, `--region`, `--allow-untagged` for AWS. */
export function providerSettings(opts: SessionOptions, g: GlobalOptions): NonNullable<RunOptions['settings']> {
  const aws: Record<string, unknown> = {};
  if (g.profile !== undefined) aws.profile = g.profile;
  if (g.region !== undefined) aws.region = g.region;
  if (opts.allowUntagged) aws.allowUntagged = true;
  return { aws };
}

/**
 * Runs a drill (or resumes one) as a CLI session: logger, interruption handling (first
 * SIGINT/SIGTERM aborts the current step, a second one the cleanup too), history, reports,
 * summary on stdout. Returns the exit code.
 */
export async function runSession(
  base: Omit<RunOptions, 'stateDir' | 'log' | 'signal' | 'cleanupSignal' | 'progress'>,
  opts: SessionOptions,
  g: GlobalOptions,
): Promise<number> {
  // Checked before anything starts: a bad --notify is exit 2 with nothing run.
  const webhook = opts.notify !== undefined ? webhookTarget(opts.notify, opts.notifyTimeout) : undefined;
  const log = createLogger({ level: g.logLevel ?? (g.logFile ? 'info' : 'warn'), file: g.logFile });
  const settings = { ...providerSettings(opts, g), ...base.settings };
  if (base.dryRun || opts.dryRun) {
    const { dryRunSession } = await import('./dry-run-session.js');
    return dryRunSession({ ...base, settings, log }, opts);
  }
  const interrupt = new AbortController();
  const cleanup = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (!interrupt.signal.aborted) {
      writeErr(`\nlifeboat: ${sig} received: stopping the current step, then failback and teardown (send again to skip them)\n`);
      interrupt.abort(new AbortedError(`interrupted by ${sig}`));
    } else if (!cleanup.signal.aborted) {
      writeErr(`\nlifeboat: ${sig} received again: aborting the cleanup\n`);
      cleanup.abort(new AbortedError(`cleanup interrupted by ${sig}`));
    }
  };
  // SIGHUP too: a closed terminal or SSH session must still fail back and tear the lab down.
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  // Opened before the handlers go on, so that a history that cannot be opened leaves none behind.
  const store = await openStore({ stateDir: g.stateDir, store: g.store });
  // A shared store also locks the runbook for every runner using it (the state directory's lock
  // file is taken by the run as well). Held until the run is recorded.
  let sharedLock: RunbookLock | undefined;
  try {
    sharedLock = await store.lockRunbook?.(base.loaded.runbook.name, (err) =>
      writeErr(`lifeboat: warning: lost the shared lock of runbook ${base.loaded.runbook.name} (${redactText(messageOf(err))}); another runner could start it now\n`),
    );
  } catch (err) {
    await store.close();
    throw err;
  }
  for (const sig of signals) process.on(sig, onSignal);
  // onStart is synchronous: its write is awaited before finish and close, and a failure only
  // warns (finish records the run whether or not begin did).
  let begun: Promise<void> = Promise.resolve();
  // Never rejects, and is bounded by its timeout: awaited before the command returns, whatever happens.
  let notified: Promise<boolean> | undefined;
  const tty = process.stderr.isTTY && !opts.json;
  try {
    const result = await runDrill({
      // manual steps can be confirmed at this terminal when there is one.
      ...(process.stdin.isTTY ? { askOperator: askAtTerminal } : {}),
      ...base,
      settings,
      stateDir: g.stateDir,
      log,
      signal: interrupt.signal,
      cleanupSignal: cleanup.signal,
      progress: tty ? (line) => writeErr(`${line}\n`) : undefined,
      onStart: (runId) => {
        begun = store
          .begin({ runId, runbook: base.loaded.runbook.name, file: base.loaded.file, mode: base.mode ?? 'drill', startedAt: Date.now() })
          .catch((err: unknown) => {
            writeErr(`lifeboat: warning: the start of run ${runId} is not in the history: ${redactText(messageOf(err))}\n`);
          });
        if (!opts.json) writeErr(`lifeboat: run ${runId} (${base.loaded.runbook.name})\n`);
        void sharedLock?.setRunId(runId);
      },
    });
    if (webhook)
      notified = notifyRunEnded(result, webhook, (message) => {
        writeErr(`lifeboat: warning: ${message}\n`);
        if (g.logFile) log.warn({ runId: result.runId }, message);
      });
    await begun;
    await store.finish(result);
    const context = { lastSuccessAt: await lastSuccessAt(store, result) };
    const reports = await writeReports(result, [join(g.stateDir, 'runs', result.runId), ...(opts.out ? [opts.out] : [])], undefined, context);
    if (opts.json) {
      const { timeline: _timeline, ...rest } = result;
      outJson({ ...rest, reports });
    } else printSummary(result, reports);
    return exitCodeOf(result);
  } finally {
    await begun;
    await notified;
    await sharedLock?.release();
    await store.close();
    for (const sig of signals) process.off(sig, onSignal);
    log.flush?.();
  }
}
