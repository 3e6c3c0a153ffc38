import { readFile, stat } from 'node:fs/promises';
import { InvalidRunbookError, type RunbookProblem } from '../errors.js';
import { MAX_RUNBOOK_BYTES } from '../runbook/load.js';
import { parseYamlDocument, problem, problemsAt } from '../runbook/yaml-document.js';
import { formatPath, locate } from '../runbook/positions.js';
import { flattenIssues } from '../runbook/zod-issues.js';
import { BackupPolicySchema, type BackupPolicy, type LoadedPolicy } from './policy-schema.js';

const POLICY = {
  noun: 'policy',
  emptyHint: 'a policy starts with `apiVersion: lifeboat/v1` and `kind: BackupPolicy`',
  mappingHint: 'a policy must be a mapping with apiVersion, kind: BackupPolicy, name, resource, primary, sources, rules',
};

/** The `kind` a YAML/JSON text declares, if it parses and has one (`validate` branches on it). */
export function declaredKind(text: string): string | undefined {
  try {
    const { data } = parseYamlDocument(text, '', POLICY);
    const kind = (data as { kind?: unknown } | null)?.kind;
    return typeof kind === 'string' ? kind : undefined;
  } catch {
    return undefined;
  }
}

/** Parses and validates policy text; throws only InvalidRunbookError with every problem and its line and column. */
export function parsePolicy(text: string, file: string): BackupPolicy {
  const parsed = parseYamlDocument(text, file, POLICY);
  const result = BackupPolicySchema.safeParse(parsed.data);
  if (result.success) return result.data;
  throw new InvalidRunbookError(problemsAt(parsed, file, flattenIssues(result.error.issues, parsed.data)));
}

/** Reads a text file as `loadRunbook` does: only a regular file of reasonable size; problems are InvalidRunbookError. */
export async function readInputFile(file: string): Promise<string> {
  try {
    const st = await stat(file);
    if (st.isDirectory()) throw new InvalidRunbookError([problem(file, 'is a directory, not a file')]);
    if (!st.isFile()) throw new InvalidRunbookError([problem(file, 'is not a regular file')]);
    if (st.size > MAX_RUNBOOK_BYTES) throw new InvalidRunbookError([problem(file, `file is too large (${st.size} bytes; at most ${MAX_RUNBOOK_BYTES})`)]);
    return await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof InvalidRunbookError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new InvalidRunbookError([problem(file, `cannot read: ${why}`)]);
  }
}

/** Reads and validates a `kind: BackupPolicy` file. */
export async function loadPolicy(file: string): Promise<LoadedPolicy> {
  const text = await readInputFile(file);
  return { file, text, policy: parsePolicy(text, file) };
}

/** A problem about a field of a loaded policy found after loading (e.g. its restoreRunbook), at the field's line and column. */
export function policyProblem(loaded: LoadedPolicy, path: Array<string | number>, message: string): RunbookProblem {
  if (loaded.text === undefined) return problem(loaded.file, message, 1, 1, formatPath(path));
  const { doc, counter } = parseYamlDocument(loaded.text, loaded.file, POLICY);
  const pos = locate(doc, counter, path);
  return problem(loaded.file, message, pos.line, pos.column, formatPath(path));
}
