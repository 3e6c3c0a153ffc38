import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Composer, LineCounter, type Document } from 'yaml';
import { InvalidRunbookError, type RunbookProblem } from '../errors.js';
import type { Registry } from '../providers/registry.js';
import { TOO_DEEP, TooDeepError, checkedTokens, tooDeepPath } from './nesting.js';
import { formatPath, locate } from './positions.js';
import { checkRules } from './rules.js';
import { buildRunbookSchema, type RunbookSchema } from './schema.js';
import type { LoadedRunbook, Runbook } from './types.js';
import { flattenIssues } from './zod-issues.js';

/** Runbooks larger than this are refused before parsing. */
export const MAX_RUNBOOK_BYTES = 4 * 1024 * 1024;

const schemas = new WeakMap<Registry, RunbookSchema>();
function schemaFor(registry: Registry): RunbookSchema {
  let s = schemas.get(registry);
  if (!s) schemas.set(registry, (s = buildRunbookSchema(registry)));
  return s;
}

const problem = (file: string, message: string, line = 1, column = 1, path = ''): RunbookProblem => ({ file, line, column, path, message });

/**
 * Parses and validates runbook text. Throws only InvalidRunbookError, carrying every problem
 * found (YAML syntax, schema, cross-field rules), each with its line and column.
 */
export function parseRunbook(text: string, file: string, registry: Registry): Runbook {
  if (text.includes('\u0000')) throw new InvalidRunbookError([problem(file, 'not a text file (contains NUL bytes)')]);
  if (text.trim() === '') throw new InvalidRunbookError([problem(file, 'file is empty; a runbook starts with `apiVersion: lifeboat/v1` and `kind: Runbook`')]);
  const counter = new LineCounter();
  let docs: Document.Parsed[];
  try {
    // parseAllDocuments, with the nesting checked before the composer (which recurses) sees it.
    docs = [...new Composer({ uniqueKeys: true, logLevel: 'error' }).compose(checkedTokens(text, counter.addNewLine))] as Document.Parsed[];
  } catch (err) {
    if (err instanceof TooDeepError) {
      const pos = counter.linePos(err.offset);
      throw new InvalidRunbookError([problem(file, TOO_DEEP, pos.line, pos.col)]);
    }
    throw new InvalidRunbookError([problem(file, `cannot parse: ${(err as Error).message}`)]);
  }
  if (docs.length === 0) throw new InvalidRunbookError([problem(file, 'file has no YAML document')]);
  const doc = docs[0]!;
  const syntax = [...docs.flatMap((d) => d.errors)].map((e) => {
    const pos = e.linePos?.[0] ?? counter.linePos(e.pos[0]);
    return problem(file, e.message.split('\n')[0]!, pos.line, pos.col);
  });
  if (syntax.length) throw new InvalidRunbookError(syntax);
  if (docs.length > 1) {
    const pos = counter.linePos(docs[1]!.range[0]);
    throw new InvalidRunbookError([problem(file, 'only one YAML document per runbook file', pos.line, pos.col)]);
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new InvalidRunbookError([problem(file, `cannot read document: ${(err as Error).message}`)]);
  }
  // A plain mapping only: tags such as !!binary, !!set or !!timestamp yield a Buffer, Set or Date.
  if (data === null || typeof data !== 'object' || Object.getPrototypeOf(data) !== Object.prototype) {
    throw new InvalidRunbookError([problem(file, 'a runbook must be a mapping with apiVersion, kind, name, objectives, ...')]);
  }
  // Aliases can nest deeper than the text, or make a value contain itself.
  const tooDeep = tooDeepPath(data);
  if (tooDeep) {
    const pos = locate(doc, counter, tooDeep.path);
    const message = tooDeep.circular ? 'an alias refers to a node that contains it (a runbook cannot be circular)' : TOO_DEEP;
    throw new InvalidRunbookError([problem(file, message, pos.line, pos.column, tooDeep.circular ? formatPath(tooDeep.path) : '')]);
  }

  const result = schemaFor(registry).safeParse(data);
  const issues = [...(result.success ? [] : flattenIssues(result.error.issues, data)), ...checkRules(data, registry)];
  if (issues.length) {
    const seen = new Set<string>();
    const problems: RunbookProblem[] = [];
    for (const i of issues) {
      const pos = locate(doc, counter, i.path, i.key);
      const path = formatPath(i.key === undefined ? i.path : [...i.path, i.key]);
      const p = problem(file, i.message, pos.line, pos.column, path);
      const key = `${p.line}:${p.column}:${p.path}:${p.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      problems.push(p);
    }
    problems.sort((a, b) => a.line - b.line || a.column - b.column);
    throw new InvalidRunbookError(problems);
  }
  return result.data as unknown as Runbook;
}

/** What a file that is not a regular file is, for people. */
function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

/**
 * Reads a runbook file; every problem (missing file, directory, device, syntax, schema) is an
 * InvalidRunbookError. Only a regular file is read: a FIFO would block forever and /dev/zero
 * never ends.
 */
export async function loadRunbook(file: string, registry: Registry): Promise<LoadedRunbook> {
  const refuse = (st: Stats) => {
    if (st.isDirectory()) throw new InvalidRunbookError([problem(file, 'is a directory, not a runbook file')]);
    if (!st.isFile()) throw new InvalidRunbookError([problem(file, `is not a regular file (${kindOf(st)})`)]);
    if (st.size > MAX_RUNBOOK_BYTES) throw new InvalidRunbookError([problem(file, `file is too large (${st.size} bytes; at most ${MAX_RUNBOOK_BYTES})`)]);
  };
  let text: string;
  try {
    refuse(await stat(file));
    // Non-blocking, and checked again on the open file, in case it was replaced by a FIFO meanwhile.
    const handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    try {
      refuse(await handle.stat());
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (err instanceof InvalidRunbookError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new InvalidRunbookError([problem(file, `cannot read: ${why}`)]);
  }
  return { file, text, runbook: parseRunbook(text, file, registry) };
}
