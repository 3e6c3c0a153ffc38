import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError, messageOf } from '../../errors.js';
import { readJournal } from '../../engine/journal.js';
import { REPORT_FORMATS, rendererFor, type ReportFormat } from '../../report/renderers.js';
import { openStore } from '../../store/open-store.js';
import type { RunResult } from '../../verify/run-result.js';
import { EXIT } from '../exit-codes.js';
import type { GlobalOptions } from '../global-options.js';
import { lastSuccessAt } from '../last-success.js';
import { writeOut } from '../output.js';

export interface ReportOptions {
  format?: string;
  json?: boolean;
}

/** `lifeboat report <run-id> --format …`: renders a finished run's stored result to stdout. */
export async function reportCommand(runId: string, opts: ReportOptions, g: GlobalOptions): Promise<number> {
  if (!/^[A-Za-z0-9_.-]+$/.test(runId)) throw new InvalidInputError(`not a run id: ${runId}`);
  const format = formatOf(opts);
  const store = await openStore({ stateDir: g.stateDir, readOnly: true });
  try {
    const result = (await store.result(runId)) ?? resultFile(g.stateDir, runId);
    if (!result) throw new InvalidInputError(whyNoResult(g.stateDir, runId));
    const context = format === 'prom' ? { lastSuccessAt: await lastSuccessAt(store, result) } : {};
    writeOut(rendererFor(format).render(result, context));
    return EXIT.OK;
  } finally {
    await store.close();
  }
}

function formatOf(opts: ReportOptions): ReportFormat {
  const format = opts.format ?? (opts.json ? 'json' : 'md');
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) throw new InvalidInputError(`unknown report format '${format}' (expected ${REPORT_FORMATS.join(', ')})`);
  if (opts.json && format !== 'json') throw new InvalidInputError(`--json and --format ${format} contradict each other`);
  return format as ReportFormat;
}

/**
 * The result a session wrote beside the journal (`runs/<id>/report.json`), for a run the history
 * does not hold (a history moved away or recreated). Undefined when there is none.
 */
function resultFile(stateDir: string, runId: string): RunResult | undefined {
  const path = join(stateDir, 'runs', runId, 'report.json');
  if (!existsSync(path)) return undefined;
  let parsed: Partial<RunResult>;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<RunResult>;
  } catch (err) {
    throw new InvalidInputError(`cannot read the result of run ${runId} from ${path}: ${messageOf(err)}`);
  }
  if (parsed?.runId !== runId || typeof parsed.verdict !== 'string' || !Array.isArray(parsed.timeline) || !Array.isArray(parsed.steps))
    throw new InvalidInputError(`${path} is not the result of run ${runId}`);
  return parsed as RunResult;
}

/** Why a run has no result: never recorded here, still going (or its process died), or closed without finishing. */
function whyNoResult(stateDir: string, runId: string): string {
  const journal = join(stateDir, 'runs', runId, 'journal.jsonl');
  if (!existsSync(journal)) return `no run ${runId} in ${stateDir} (see lifeboat history)`;
  const finished = readJournal(journal).find((e) => e.type === 'finished');
  if (finished) return `run ${runId} ended without a result (its process died and it was closed as ${(finished as { status?: string }).status ?? 'aborted'}, e.g. by lifeboat lab prune): nothing to report`;
  return `run ${runId} has not finished: it is still running, or its process died (continue it with lifeboat resume ${runId}); a report needs a finished run`;
}
