import { Composer, LineCounter, type Document } from 'yaml';
import { InvalidRunbookError, type RunbookProblem } from '../errors.js';
import { TOO_DEEP, TooDeepError, checkedTokens, tooDeepPath } from './nesting.js';
import { formatPath, locate } from './positions.js';
import type { FlatIssue } from './zod-issues.js';

/** A problem of a file, at a line and column (1-based) and a field path. */
export const problem = (file: string, message: string, line = 1, column = 1, path = ''): RunbookProblem => ({ file, line, column, path, message });

/** One parsed document, with what locates its nodes. */
export interface YamlDocument {
  doc: Document.Parsed;
  counter: LineCounter;
  data: Record<string, unknown>;
}

/** How problems name the kind of document (runbook, policy). */
export interface DocumentKind {
  /** `runbook`, `policy`: in "only one YAML document per <noun> file". */
  noun: string;
  /** Said of an empty file: how such a document starts. */
  emptyHint: string;
  /** Said of a document that is not a mapping: what it must hold. */
  mappingHint: string;
}

/**
 * Parses one YAML (or JSON) document with positions, the nesting checked before the composer
 * (which recurses) sees it. The document must be a plain mapping (tags such as !!binary, !!set or
 * !!timestamp yield a Buffer, Set or Date) and no alias may nest deeper than the text or make a
 * value contain itself. Throws only InvalidRunbookError, every problem with its line and column.
 */
export function parseYamlDocument(text: string, file: string, kind: DocumentKind): YamlDocument {
  if (text.includes('\u0000')) throw new InvalidRunbookError([problem(file, 'not a text file (contains NUL bytes)')]);
  if (text.trim() === '') throw new InvalidRunbookError([problem(file, `file is empty; ${kind.emptyHint}`)]);
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
  if (docs.length === 0) throw new InvalidRunbookError([problem(file, 'file has no YAML document')]);
  const doc = docs[0]!;
  const syntax = [...docs.flatMap((d) => d.errors)].map((e) => {
    const pos = e.linePos?.[0] ?? counter.linePos(e.pos[0]);
    return problem(file, e.message.split('\n')[0]!, pos.line, pos.col);
  });
  if (syntax.length) throw new InvalidRunbookError(syntax);
  if (docs.length > 1) {
    const pos = counter.linePos(docs[1]!.range[0]);
    throw new InvalidRunbookError([problem(file, `only one YAML document per ${kind.noun} file`, pos.line, pos.col)]);
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new InvalidRunbookError([problem(file, `cannot read document: ${(err as Error).message}`)]);
  }
  if (data === null || typeof data !== 'object' || Object.getPrototypeOf(data) !== Object.prototype) {
    throw new InvalidRunbookError([problem(file, kind.mappingHint)]);
  }
  const tooDeep = tooDeepPath(data);
  if (tooDeep) {
    const pos = locate(doc, counter, tooDeep.path);
    const message = tooDeep.circular ? `an alias refers to a node that contains it (a ${kind.noun} cannot be circular)` : TOO_DEEP;
    throw new InvalidRunbookError([problem(file, message, pos.line, pos.column, tooDeep.circular ? formatPath(tooDeep.path) : '')]);
  }
  return { doc, counter, data: data as Record<string, unknown> };
}

/** Schema and rule issues as problems at their positions in the document: deduplicated, in text order. */
export function problemsAt(parsed: YamlDocument, file: string, issues: readonly FlatIssue[]): RunbookProblem[] {
  const seen = new Set<string>();
  const problems: RunbookProblem[] = [];
  for (const i of issues) {
    const pos = locate(parsed.doc, parsed.counter, i.path, i.key);
    const p = problem(file, i.message, pos.line, pos.column, formatPath(i.key === undefined ? i.path : [...i.path, i.key]));
    const key = `${p.line}:${p.column}:${p.path}:${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(p);
  }
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}
