import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { InvalidRunbookError } from '../errors.js';
import type { Registry } from '../providers/registry.js';
import { checkRules } from './rules.js';
import { buildRunbookSchema, type RunbookSchema } from './schema.js';
import type { LoadedRunbook, Runbook } from './types.js';
import { flattenIssues } from './zod-issues.js';
import { parseYamlDocument, problem, problemsAt } from './yaml-document.js';

/** Runbooks larger than this are refused before parsing. */
export const MAX_RUNBOOK_BYTES = 4 * 1024 * 1024;

const schemas = new WeakMap<Registry, RunbookSchema>();
function schemaFor(registry: Registry): RunbookSchema {
  let s = schemas.get(registry);
  if (!s) schemas.set(registry, (s = buildRunbookSchema(registry)));
  return s;
}

const RUNBOOK = {
  noun: 'runbook',
  emptyHint: 'a runbook starts with `apiVersion: lifeboat/v1` and `kind: Runbook`',
  mappingHint: 'a runbook must be a mapping with apiVersion, kind, name, objectives, ...',
};

/**
 * Parses and validates runbook text. Throws only InvalidRunbookError, carrying every problem
 * found (YAML syntax, schema, cross-field rules), each with its line and column.
 */
export function parseRunbook(text: string, file: string, registry: Registry): Runbook {
  const parsed = parseYamlDocument(text, file, RUNBOOK);
  const result = schemaFor(registry).safeParse(parsed.data);
  const issues = [...(result.success ? [] : flattenIssues(result.error.issues, parsed.data)), ...checkRules(parsed.data, registry)];
  if (issues.length) throw new InvalidRunbookError(problemsAt(parsed, file, issues));
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
