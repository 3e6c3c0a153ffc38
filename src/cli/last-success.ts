import type { HistoryStore } from '../store/history-store.js';
import type { RunResult } from '../verify/run-result.js';

/** How far back in a runbook's history the last success is looked for. */
const LOOK_BACK_RUNS = 1_000;

/**
 * When the newest run of the same runbook and mode that met its objectives ended, as of `r`'s end
 * (its own end when it met them): the Prometheus report's last success. Undefined when none is
 * in the history, or when the history cannot be read (a report is still worth writing).
 */
export async function lastSuccessAt(store: HistoryStore, r: RunResult): Promise<number | undefined> {
  if (r.verdict === 'met') return r.finishedAt;
  let runs;
  try {
    runs = await store.list({ runbook: r.runbook, limit: LOOK_BACK_RUNS });
  } catch {
    return undefined;
  }
  let newest: number | undefined;
  for (const run of runs) {
    if (run.verdict !== 'met' || run.status !== 'completed' || run.mode !== r.mode || run.finishedAt === null) continue;
    const t = Date.parse(run.finishedAt);
    if (Number.isFinite(t) && t <= r.finishedAt && (newest === undefined || t > newest)) newest = t;
  }
  return newest;
}
