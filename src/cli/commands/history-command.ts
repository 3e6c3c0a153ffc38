import { InvalidInputError } from '../../errors.js';
import { openStore } from '../../store/open-store.js';
import { formatDuration } from '../../util/duration.js';
import { EXIT } from '../exit-codes.js';
import type { GlobalOptions } from '../global-options.js';
import { out, outJson } from '../output.js';

/** `lifeboat history`: recorded runs, newest first. */
export async function historyCommand(opts: { json?: boolean; runbook?: string; limit: string }, g: GlobalOptions): Promise<number> {
  const limit = Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new InvalidInputError(`--limit must be a positive integer, got ${opts.limit}`);
  const store = await openStore({ stateDir: g.stateDir, store: g.store, readOnly: true });
  try {
    const runs = await store.list({ runbook: opts.runbook, limit });
    if (opts.json) outJson(runs);
    else if (!runs.length) out('no runs recorded yet');
    else
      for (const r of runs) {
        const rto = r.rtoMs === null ? '—' : formatDuration(r.rtoMs);
        const rpo = r.rpoMs === null ? '—' : formatDuration(r.rpoMs);
        out(`${r.runId}  ${r.runbook}  ${r.mode}  ${r.status}  ${(r.verdict ?? '—').toUpperCase()}  RTO ${rto}  RPO ${rpo}  lost ${r.lostWrites ?? '—'}`);
      }
    return EXIT.OK;
  } finally {
    await store.close();
  }
}
