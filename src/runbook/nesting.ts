import { Lexer, Parser, type CST } from 'yaml';

type Token = CST.Token;

/**
 * How deeply mappings and lists may nest in a runbook. Real runbooks use about eight levels
 * (phase, parallel group, step, compensation, parameters); the YAML composer and zod recurse, and
 * overflow the stack somewhere between 200 and 2,000 levels.
 */
export const MAX_NESTING = 64;

/** The problem reported for a document nested deeper than MAX_NESTING. */
export const TOO_DEEP = `nested too deeply (more than ${MAX_NESTING} levels of mappings and lists)`;

const COLLECTIONS = new Set(['block-map', 'block-seq', 'flow-collection']);

/** Thrown by {@link checkedTokens} where a mapping or list opens level MAX_NESTING + 1. */
export class TooDeepError extends Error {
  constructor(readonly offset: number) {
    super(TOO_DEEP);
  }
}

/**
 * The YAML CST tokens of `text`, as `Parser.parse` yields them to the composer, checking on the
 * way that mappings and lists nest no deeper than MAX_NESTING: the parser keeps a stack of open
 * nodes, while the composer recurses. Throws TooDeepError at the first token too deep, so a
 * 4 MB run of `[` is refused at once. Aliases can nest deeper than the text: see {@link tooDeepPath}.
 */
export function* checkedTokens(text: string, onNewLine?: (offset: number) => void): Generator<Token> {
  const parser = new Parser(onNewLine);
  onNewLine?.(0);
  for (const lexeme of new Lexer().lex(text)) {
    yield* parser.next(lexeme);
    // The stack also holds the document and the node being built: count only when it could matter.
    if (parser.stack.length <= MAX_NESTING + 1) continue;
    const open = parser.stack.filter((t) => COLLECTIONS.has(t.type));
    if (open.length > MAX_NESTING) throw new TooDeepError((open.at(-1) as { offset: number }).offset);
  }
  yield* parser.end();
}

/** The path of the first value nested deeper than MAX_NESTING, or of an alias to a node that contains it. */
export function tooDeepPath(root: unknown): { path: Array<string | number>; circular: boolean } | undefined {
  interface Entry {
    value: object;
    path: Array<string | number>;
    parent: Entry | undefined;
  }
  if (root === null || typeof root !== 'object') return undefined;
  const seen = new Set<object>([root]);
  // Iterative, depth first: this walk must not be what overflows.
  const stack: Entry[] = [{ value: root, path: [], parent: undefined }];
  for (let e = stack.pop(); e; e = stack.pop()) {
    const children: Array<[string | number, unknown]> = Array.isArray(e.value) ? e.value.map((v, i) => [i, v]) : Object.entries(e.value);
    for (const [key, child] of children) {
      if (child === null || typeof child !== 'object') continue;
      const path = [...e.path, key];
      // Only an alias shares a value: then it may contain itself.
      if (seen.has(child)) for (let a: Entry | undefined = e; a; a = a.parent) if (a.value === child) return { path, circular: true };
      seen.add(child);
      if (path.length >= MAX_NESTING) return { path, circular: false };
      stack.push({ value: child, path, parent: e });
    }
  }
  return undefined;
}
