import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError } from '../../errors.js';
import { writeApproval } from '../../engine/approvals.js';
import { readJournal } from '../../engine/journal.js';
import { parseRunbook } from '../../runbook/load.js';
import { isParallel, PHASES, type ActionStep } from '../../runbook/types.js';
import { defaultRegistry } from '../default-registry.js';
import { EXIT } from '../exit-codes.js';
import type { GlobalOptions } from '../global-options.js';
import { approverName } from '../operator-prompt.js';
import { out, outJson } from '../output.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/**
 * `lifeboat approve <run-id> <step-id>`: confirms a `manual` step of a run from any shell. The
 * approval is a file in the run's state directory (engine/approvals.ts: written whole, first one
 * wins), which the waiting run — or a later resume of it — picks up. Exit 0 also when the step
 * was already approved; 2 for an unknown run, a finished run, or a step that is not `manual`.
 */
export async function approveCommand(runId: string, stepId: string, opts: { json?: boolean }, g: GlobalOptions): Promise<number> {
  if (!NAME.test(runId)) throw new InvalidInputError(`not a run id: ${runId}`);
  if (!NAME.test(stepId)) throw new InvalidInputError(`not a step id: ${stepId}`);
  const runDir = join(g.stateDir, 'runs', runId);
  const path = join(runDir, 'journal.jsonl');
  if (!existsSync(path)) throw new InvalidInputError(`no run ${runId} in ${g.stateDir} (see lifeboat history)`);
  const entries = readJournal(path);
  const header = entries.find((e) => e.type === 'header');
  if (!header || header.type !== 'header') throw new InvalidInputError(`journal of run ${runId} has no header`);
  const finished = entries.find((e) => e.type === 'finished');
  if (finished && finished.type === 'finished') throw new InvalidInputError(`run ${runId} already finished (${finished.status}); nothing waits for an approval`);
  const runbook = parseRunbook(header.text, header.file, defaultRegistry());
  const manual = PHASES.flatMap((p) => runbook[p].flatMap((i) => (isParallel(i) ? i.parallel : [i]))).flatMap((s): ActionStep[] => [s, ...(s.compensate ? [s.compensate] : [])]).filter((s) => s.action === 'manual');
  if (!manual.some((s) => s.id === stepId))
    throw new InvalidInputError(`run ${runId} has no manual step "${stepId}" (manual steps: ${manual.map((s) => s.id).join(', ') || 'none'})`);
  const { approval, written } = writeApproval(runDir, stepId, { by: approverName(), at: Date.now() });
  const at = new Date(approval.at).toISOString();
  if (opts.json) outJson({ runId, stepId, approvedBy: approval.by, approvedAt: at, alreadyApproved: !written });
  else out(written ? `approved ${stepId} of run ${runId}` : `${stepId} of run ${runId} was already approved (by ${approval.by} at ${at})`);
  return EXIT.OK;
}
