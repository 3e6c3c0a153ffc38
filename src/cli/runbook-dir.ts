import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError, InvalidRunbookError, messageOf, type RunbookProblem } from '../errors.js';
import type { Registry } from '../providers/registry.js';
import { loadRunbook, MAX_RUNBOOK_BYTES, parseRunbook } from '../runbook/load.js';
import type { LoadedRunbook } from '../runbook/types.js';

/** The directory `status` and `schedule` read when none is given. */
export const DEFAULT_RUNBOOK_DIR = 'runbooks';

/** What a directory of runbooks holds, file by file (sorted by name). */
export interface RunbookDir {
  runbooks: LoadedRunbook[];
  /** Runbook files with problems (each `file:line:col`). */
  invalid: Array<{ file: string; problems: RunbookProblem[] }>;
  /** Lifeboat documents of another kind (`kind: BackupPolicy`, ...), left alone. */
  skipped: Array<{ file: string; kind: string }>;
}

const DOCUMENT = /\.(ya?ml|json)$/i;

/**
 * The `kind` a document declares at its top level, when it says so plainly (`kind: X` at the
 * start of a line in YAML, a top-level "kind" in JSON); undefined otherwise. A cheap look, so a
 * directory is not parsed twice: whatever is not plainly another kind is loaded as a runbook.
 */
function declaredKind(text: string, file: string): string | undefined {
  if (/\.json$/i.test(file)) {
    try {
      const kind = (JSON.parse(text) as { kind?: unknown } | null)?.kind;
      return typeof kind === 'string' ? kind : undefined;
    } catch {
      return undefined;
    }
  }
  return /^kind:[ \t]*["']?([A-Za-z][A-Za-z0-9]*)["']?[ \t]*(#.*)?$/m.exec(text)?.[1];
}

/**
 * Loads every `*.yaml`, `*.yml` and `*.json` file directly in `dir`. A file whose `kind` is a
 * string other than `Runbook` is skipped (policies and other documents may share the folder);
 * every other file is loaded as a runbook, and its problems are collected, not thrown. A missing
 * or unreadable directory is invalid input.
 */
export async function loadRunbookDir(dir: string, registry: Registry): Promise<RunbookDir> {
  let names: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new InvalidInputError(`${dir} is not a directory of runbooks`);
    names = (await readdir(dir)).filter((n) => DOCUMENT.test(n)).sort();
  } catch (err) {
    if (err instanceof InvalidInputError) throw err;
    throw new InvalidInputError(`cannot read the runbook directory ${dir}: ${messageOf(err)}`, { cause: err });
  }
  const found: RunbookDir = { runbooks: [], invalid: [], skipped: [] };
  // Read every file at once (a hundred sequential reads spend most of their time waiting), then
  // parse in name order. Regular files of a sane size are parsed from the text read here; anything
  // else goes through loadRunbook, which says why it cannot be read.
  const texts = await Promise.all(
    names.map(async (name) => {
      const file = join(dir, name);
      try {
        const st = await stat(file);
        if (st.isFile() && st.size <= MAX_RUNBOOK_BYTES) return { file, text: await readFile(file, 'utf8') };
      } catch {
        /* loadRunbook reports it with its reason */
      }
      return { file, text: undefined };
    }),
  );
  for (const { file, text } of texts) {
    const kind = text === undefined ? undefined : declaredKind(text, file);
    if (kind !== undefined && kind !== 'Runbook') {
      found.skipped.push({ file, kind });
      continue;
    }
    try {
      found.runbooks.push(text === undefined ? await loadRunbook(file, registry) : { file, text, runbook: parseRunbook(text, file, registry) });
    } catch (err) {
      if (!(err instanceof InvalidRunbookError)) throw err;
      found.invalid.push({ file, problems: err.problems });
    }
  }
  return found;
}
