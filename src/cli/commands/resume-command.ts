import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError } from '../../errors.js';
import { readJournal } from '../../engine/journal.js';
import type { TimelineEvent } from '../../engine/timeline.js';
import type { LabState } from '../../lab/types.js';
import { parseRunbook } from '../../runbook/load.js';
import type { GlobalOptions } from '../main.js';
import { runSession, type SessionOptions } from '../run-session.js';

/** `lifeboat resume <run-id>`: continue a run from its journal. */
export async function resumeCommand(runId: string, opts: SessionOptions, g: GlobalOptions): Promise<number> {
  if (!/^[A-Za-z0-9_.-]+$/.test(runId)) throw new InvalidInputError(`not a run id: ${runId}`);
  const path = join(g.stateDir, 'runs', runId, 'journal.jsonl');
  if (!existsSync(path)) throw new InvalidInputError(`no run ${runId} in ${g.stateDir} (see lifeboat history)`);
  const entries = readJournal(path);
  const header = entries.find((e) => e.type === 'header');
  if (!header || header.type !== 'header') throw new InvalidInputError(`journal of run ${runId} has no header; it cannot be resumed`);
  const finished = entries.find((e) => e.type === 'finished');
  if (finished) throw new InvalidInputError(`run ${runId} already finished (${finished.type === 'finished' ? finished.status : ''}); nothing to resume`);
  const loaded = { file: header.file, text: header.text, runbook: parseRunbook(header.text, header.file) };
  const timeline: TimelineEvent[] = [];
  let lab: LabState | undefined;
  let attempts = 0;
  for (const e of entries) {
    if (e.type === 'event') timeline.push(e.event);
    else if (e.type === 'lab') lab = e.state;
    else if (e.type === 'attempt') attempts = Math.max(attempts, e.attempt);
  }
  return runSession(
    { loaded, mode: header.mode, resume: { runId, attempt: attempts + 1, startedAt: header.startedAt, timeline, lab } },
    opts,
    g,
  );
}
