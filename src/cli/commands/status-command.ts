import { formatProblem, InvalidInputError } from '../../errors.js';
import { openStore } from '../../store/open-store.js';
import { parseDuration } from '../../util/duration.js';
import { defaultRegistry } from '../default-registry.js';
import { drillStatus, type DrillStatus } from '../drill-status.js';
import { EXIT } from '../exit-codes.js';
import type { GlobalOptions } from '../global-options.js';
import { out, outJson, writeErr } from '../output.js';
import { DEFAULT_RUNBOOK_DIR, loadRunbookDir } from '../runbook-dir.js';

export interface StatusOptions {
  json?: boolean;
  at?: string;
  grace?: string;
}

/** Reads `--at`: an ISO 8601 date or instant (a date alone is midnight UTC). */
export function parseInstant(text: string, flag: string): Date {
  const t = /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim()) ? Date.parse(text.trim()) : NaN;
  if (Number.isNaN(t)) throw new InvalidInputError(`${flag} must be an ISO 8601 date or instant such as 2027-01-01 or 2027-01-01T03:00:00Z, got "${text}"`);
  return new Date(t);
}

/** How late, for people: `3d 4h`, `5h 12m`, `7m`, `40s`. */
export function lateBy(ms: number): string {
  const s = Math.floor(ms / 1000);
  const [d, h, m] = [Math.floor(s / 86_400), Math.floor((s % 86_400) / 3_600), Math.floor((s % 3_600) / 60)];
  if (d) return h ? `${d}d ${h}h` : `${d}d`;
  if (h) return m ? `${h}h ${m}m` : `${h}h`;
  return m ? `${m}m` : `${s}s`;
}

const when = (iso: string | null) => (iso === null ? '—' : `${iso.slice(0, 16).replace('T', ' ')} UTC`);

/**
 * `lifeboat status [dir]`: every runbook of the directory with its schedule, last completed
 * drill, verdict, next due date and whether it is overdue. Exit 1 if any is overdue (so cron can
 * alert), 2 if a runbook file is invalid (all the others are still listed), else 0.
 */
export async function statusCommand(dir: string | undefined, opts: StatusOptions, g: GlobalOptions): Promise<number> {
  const at = opts.at === undefined ? new Date() : parseInstant(opts.at, '--at');
  const graceMs = opts.grace === undefined ? 0 : parseDuration(opts.grace);
  if (graceMs === undefined) throw new InvalidInputError(`--grace must be a duration such as 30m or 1d, got "${opts.grace}"`);
  const found = await loadRunbookDir(dir ?? DEFAULT_RUNBOOK_DIR, defaultRegistry());
  const store = await openStore({ stateDir: g.stateDir, store: g.store, readOnly: true });
  const statuses: DrillStatus[] = [];
  try {
    for (const { runbook, file } of found.runbooks) {
      const [last] = await store.list({ runbook: runbook.name, mode: 'drill', status: 'completed', limit: 1 });
      statuses.push(drillStatus(runbook, file, last, at, graceMs));
    }
  } finally {
    await store.close();
  }
  const overdue = statuses.some((s) => s.overdue);
  if (opts.json) outJson({ at: at.toISOString(), overdue, runbooks: statuses, invalid: found.invalid, skipped: found.skipped });
  else {
    if (!statuses.length) out(`no runbooks in ${dir ?? DEFAULT_RUNBOOK_DIR}`);
    for (const s of statuses) out(statusLine(s));
    for (const i of found.invalid) for (const p of i.problems) writeErr(`${formatProblem(p)}\n`);
  }
  if (found.invalid.length) return EXIT.INVALID;
  return overdue ? EXIT.MISSED : EXIT.OK;
}

function statusLine(s: DrillStatus): string {
  const last = s.lastDrill ? `last drill ${when(s.lastDrill.startedAt)} ${(s.lastDrill.verdict ?? '—').toUpperCase()}` : 'never drilled';
  const state =
    s.state === 'unscheduled'
      ? 'unscheduled'
      : s.state === 'ok'
        ? `next due ${when(s.nextDue)}`
        : s.lastDrill
          ? `OVERDUE since ${when(s.nextDue)} (${lateBy(s.overdueByMs!)} late)`
          : 'OVERDUE (never drilled)';
  return `${s.runbook}  ${s.schedule ?? '—'}  ${last}  ${state}`;
}
