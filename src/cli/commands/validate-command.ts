import { InvalidRunbookError, formatProblem, type RunbookProblem } from '../../errors.js';
import { loadRunbook } from '../../runbook/load.js';
import { declaredKind, parsePolicy, readInputFile } from '../../backups/load-policy.js';
import { EXIT } from '../exit-codes.js';
import { out, outJson, writeErr } from '../output.js';
import { defaultRegistry } from '../default-registry.js';

/** `lifeboat validate <file...>`: every problem of every file, exit 2 if any. */
export async function validateCommand(files: string[], opts: { json?: boolean }): Promise<number> {
  const results: Array<{ file: string; valid: boolean; problems: RunbookProblem[] }> = [];
  for (const file of files) {
    try {
      // A file of kind BackupPolicy is a policy; anything else is read as a runbook.
      const text = await readInputFile(file).catch(() => undefined);
      if (text !== undefined && declaredKind(text) === 'BackupPolicy') parsePolicy(text, file);
      else await loadRunbook(file, defaultRegistry());
      results.push({ file, valid: true, problems: [] });
    } catch (err) {
      if (!(err instanceof InvalidRunbookError)) throw err;
      results.push({ file, valid: false, problems: err.problems });
    }
  }
  const valid = results.every((r) => r.valid);
  if (opts.json) outJson({ valid, files: results });
  else
    for (const r of results) {
      if (r.valid) out(`${r.file}: valid`);
      else for (const p of r.problems) writeErr(`${formatProblem(p)}\n`);
    }
  return valid ? EXIT.OK : EXIT.INVALID;
}
