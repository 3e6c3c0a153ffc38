import { findAbandonedLabs, pruneAbandonedLab, type AbandonedLab } from '../../engine/lab-prune.js';
import { messageOf } from '../../errors.js';
import { createLogger, redactText } from '../../log.js';
import { openStore } from '../../store/open-store.js';
import { defaultRegistry } from '../default-registry.js';
import { EXIT } from '../exit-codes.js';
import type { GlobalOptions } from '../global-options.js';
import { out, outJson } from '../output.js';

/** One run as `lab prune` reports it. */
interface PruneReport {
  runId: string;
  runbook: string | null;
  /** The dead process of its last attempt. */
  pid: number;
  driver: string;
  root: string;
  services: string[];
  /** What happened: pruned, would be pruned (--dry-run), skipped (with why), or failed (with the error). */
  outcome: 'pruned' | 'would-prune' | 'skipped' | 'failed';
  /** The runbook's lock file, when it was removed. */
  lockRemoved: string | null;
  /** Whether its history row was marked aborted. */
  historyMarked: boolean;
  detail: string | null;
}

/**
 * `lifeboat lab prune`: removes the labs of runs that died and were never resumed, with their
 * lock, marks their journal finished and their history row aborted. Exit 0, also when there is
 * nothing to prune; 3 when a lab could not be removed.
 */
export async function labPruneCommand(opts: { json?: boolean; dryRun?: boolean }, g: GlobalOptions): Promise<number> {
  const log = createLogger({ level: g.logLevel ?? (g.logFile ? 'info' : 'warn'), file: g.logFile });
  const registry = defaultRegistry();
  const { labs, problems } = findAbandonedLabs(g.stateDir);
  const reports: PruneReport[] = [];
  // Opened before anything is removed, so that a history that cannot be written stops the prune
  // first; a dry run writes nothing and needs none.
  const store = labs.length && !opts.dryRun ? await openStore({ stateDir: g.stateDir, store: g.store }) : undefined;
  try {
    for (const run of labs) {
      const report = describe(run);
      reports.push(report);
      if (opts.dryRun) {
        report.outcome = 'would-prune';
        continue;
      }
      const note = `abandoned: its process (pid ${run.pid}) died and the run was not resumed; lab ${run.lab.root} removed by lifeboat lab prune`;
      try {
        const outcome = await pruneAbandonedLab(run, { stateDir: g.stateDir, registry, log, note });
        if (!outcome.pruned) {
          report.outcome = 'skipped';
          report.detail = outcome.reason;
          continue;
        }
        report.outcome = 'pruned';
        report.lockRemoved = outcome.lockRemoved ?? null;
        report.historyMarked = (await store?.markAbandoned(run.runId, note)) ?? false;
      } catch (err) {
        report.outcome = 'failed';
        report.detail = redactText(messageOf(err));
      }
    }
  } finally {
    await store?.close();
    log.flush?.();
  }

  const failed = reports.some((r) => r.outcome === 'failed');
  if (opts.json) outJson({ dryRun: opts.dryRun ?? false, runs: reports, problems });
  else {
    for (const p of problems) process.stderr.write(`lifeboat: ${p}\n`);
    if (!reports.length) out('nothing to prune');
    for (const r of reports) out(line(r));
  }
  return failed ? EXIT.INCOMPLETE : EXIT.OK;
}

function describe(run: AbandonedLab): PruneReport {
  return {
    runId: run.runId,
    runbook: run.runbook ?? null,
    pid: run.pid,
    driver: run.lab.driver,
    root: run.lab.root,
    services: Object.keys(run.lab.services),
    outcome: 'skipped',
    lockRemoved: null,
    historyMarked: false,
    detail: null,
  };
}

function line(r: PruneReport): string {
  const what = `run ${r.runId}${r.runbook ? ` (${r.runbook})` : ''}: ${r.driver} lab ${r.root} (${r.services.join(', ') || 'no services'}), process ${r.pid} gone`;
  switch (r.outcome) {
    case 'would-prune':
      return `would prune ${what}`;
    case 'pruned':
      return `pruned ${what}; ${r.lockRemoved ? `lock ${r.lockRemoved} removed; ` : ''}${r.historyMarked ? 'history: aborted' : 'history: no running row to mark'}`;
    case 'skipped':
      return `skipped ${what}: ${r.detail}`;
    case 'failed':
      return `FAILED to prune ${what}: ${r.detail}`;
  }
}
