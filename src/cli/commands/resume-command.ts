import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError } from '../../errors.js';
import { readJournal } from '../../engine/journal.js';
import { resumeStateOf } from '../../engine/resume-state.js';
import { parseRunbook } from '../../runbook/load.js';
import { defaultRegistry } from '../default-registry.js';
import type { GlobalOptions } from '../global-options.js';
import { runSession, type SessionOptions } from '../run-session.js';

/** `lifeboat resume <run-id>`: continue a run from its journal. */
export async function resumeCommand(runId: string, opts: SessionOptions, g: GlobalOptions): Promise<number> {
  if (!/^[A-Za-z0-9_.-]+$/.test(runId)) throw new InvalidInputError(`not a run id: ${runId}`);
  const path = join(g.stateDir, 'runs', runId, 'journal.jsonl');
  if (!existsSync(path)) throw new InvalidInputError(`no run ${runId} in ${g.stateDir} (see lifeboat history)`);
  const journaled = resumeStateOf(runId, readJournal(path));
  const registry = defaultRegistry();
  const loaded = { file: journaled.file, text: journaled.text, runbook: parseRunbook(journaled.text, journaled.file, registry) };
  return runSession({ loaded, registry, mode: journaled.mode, resume: journaled.resume }, opts, g);
}
