import { readFile, stat } from 'node:fs/promises';
import { Composer, LineCounter, type Document } from 'yaml';
import { InvalidRunbookError, type RunbookProblem } from '../errors.js';
import { MAX_RUNBOOK_BYTES } from '../runbook/load.js';
import { TOO_DEEP, TooDeepError, checkedTokens, tooDeepPath } from '../runbook/nesting.js';
import { formatPath, locate } from '../runbook/positions.js';
import { flattenIssues } from '../runbook/zod-issues.js';
import { BackupPolicySchema, type BackupPolicy, type LoadedPolicy } from './policy-schema.js';

const problem = (file: string, message: string, line = 1, column = 1, path = ''): RunbookProblem => ({ file, line, column, path, message });

interface ParsedYaml {
  doc: Document.Parsed;
  counter: LineCounter;
  data: unknown;
}

/** Parses one YAML (or JSON) document with positions; every problem is an InvalidRunbookError. */
function parseYaml(text: string, file: string): ParsedYaml {
  if (text.includes('\u0000')) throw new InvalidRunbookError([problem(file, 'not a text file (contains NUL bytes)')]);
  if (text.trim() === '') throw new InvalidRunbookError([problem(file, 'file is empty; a policy starts with `apiVersion: lifeboat/v1` and `kind: BackupPolicy`')]);
  const counter = new LineCounter();
  let docs: Document.Parsed[];
  try {
    docs = [...new Composer({ uniqueKeys: true, logLevel: 'error' }).compose(checkedTokens(text, counter.addNewLine))] as Document.Parsed[];
  } catch (err) {
    if (err instanceof TooDeepError) {
      const pos = counter.linePos(err.offset);
      throw new InvalidRunbookError([problem(file, TOO_DEEP, pos.line, pos.col)]);
    }
    throw new InvalidRunbookError([problem(file, `cannot parse: ${(err as Error).message}`)]);
  }
  if (docs.length !== 1) throw new InvalidRunbookError([problem(file, docs.length ? 'only one YAML document per policy file' : 'file has no YAML document')]);
  const doc = docs[0]!;
  const syntax = doc.errors.map((e) => {
    const pos = e.linePos?.[0] ?? counter.linePos(e.pos[0]);
    return problem(file, e.message.split('\n')[0]!, pos.line, pos.col);
  });
  if (syntax.length) throw new InvalidRunbookError(syntax);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new InvalidRunbookError([problem(file, `cannot read document: ${(err as Error).message}`)]);
  }
  const tooDeep = tooDeepPath(data);
  if (tooDeep) {
    const pos = locate(doc, counter, tooDeep.path);
    throw new InvalidRunbookError([problem(file, tooDeep.circular ? 'an alias refers to a node that contains it' : TOO_DEEP, pos.line, pos.column)]);
  }
  return { doc, counter, data };
}

/** The `kind` a YAML/JSON text declares, if it parses and has one (`validate` branches on it). */
export function declaredKind(text: string): string | undefined {
  try {
    const { data } = parseYaml(text, '');
    const kind = (data as { kind?: unknown } | null)?.kind;
    return typeof kind === 'string' ? kind : undefined;
  } catch {
    return undefined;
  }
}

/** Parses and validates policy text; throws only InvalidRunbookError with every problem and its line and column. */
export function parsePolicy(text: string, file: string): BackupPolicy {
  const { doc, counter, data } = parseYaml(text, file);
  if (data === null || typeof data !== 'object' || Object.getPrototypeOf(data) !== Object.prototype)
    throw new InvalidRunbookError([problem(file, 'a policy must be a mapping with apiVersion, kind: BackupPolicy, name, resource, primary, sources, rules')]);
  const result = BackupPolicySchema.safeParse(data);
  if (result.success) return result.data;
  const seen = new Set<string>();
  const problems: RunbookProblem[] = [];
  for (const i of flattenIssues(result.error.issues, data)) {
    const pos = locate(doc, counter, i.path, i.key);
    const p = problem(file, i.message, pos.line, pos.column, formatPath(i.key === undefined ? i.path : [...i.path, i.key]));
    const key = `${p.line}:${p.column}:${p.path}:${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(p);
  }
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  throw new InvalidRunbookError(problems);
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
  const { doc, counter } = parseYaml(loaded.text, loaded.file);
  const pos = locate(doc, counter, path);
  return problem(loaded.file, message, pos.line, pos.column, formatPath(path));
}
