import { isMap, isPair, isScalar, isSeq, parseDocument, visit } from 'yaml';
import { isArgvPassword, maskLiterals, redactPatterns } from '../log.js';

// Keys whose value is a secret as a whole: `password`, `secretAccessKey`, `PGPASSWORD` under
// `env`, `Authorization` under `headers`, ...
const SECRET_KEY = /password|passwd|secret|token|authorization|cookie|api[-_]?key|access[-_]?key|credential/i;

/**
 * A runbook's text with its literal secrets masked, for the journal: passwords in DSNs,
 * `user:pass@`, key=value pairs and command lines, and the values of keys that name a secret.
 * Comments are masked the same way. `${...}` references are kept, so that `resume` parses the text and resolves them again from the
 * environment (the values they stand for are never in the text). The result is a valid runbook in
 * the same language (YAML; JSON is YAML); a text with nothing to mask comes back unchanged, byte
 * for byte, so positions in later error messages still match the file.
 */
export function redactRunbookText(text: string): string {
  const doc = parseDocument(text, { keepSourceTokens: false, logLevel: 'silent' });
  // The loader refused such a text already; mask it as text rather than not at all.
  if (doc.errors.length) return redactPatterns(text, maskLiterals);
  let changed = false;
  const maskComments = (node: { commentBefore?: string | null; comment?: string | null }) => {
    for (const field of ['commentBefore', 'comment'] as const) {
      const comment = node[field];
      if (!comment) continue;
      const masked = redactPatterns(comment, maskLiterals);
      if (masked !== comment) {
        node[field] = masked;
        changed = true;
      }
    }
  };
  maskComments(doc);
  visit(doc, (key, node, path) => {
    if (isScalar(node) || isMap(node) || isSeq(node)) maskComments(node);
    if (!isScalar(node) || key === 'key' || typeof node.value !== 'string') return;
    const value = node.value;
    const parent = path.at(-1);
    let masked: string;
    if (isPair(parent) && isScalar(parent.key) && typeof parent.key.value === 'string' && SECRET_KEY.test(parent.key.value)) masked = maskLiterals(value);
    else if (isSeq(parent) && typeof key === 'number' && key > 0 && isArgvPassword(scalarValue(parent.items[key - 1]), value)) masked = maskLiterals(value);
    else masked = redactPatterns(value, maskLiterals);
    if (masked !== value) {
      node.value = masked;
      changed = true;
    }
  });
  return changed ? doc.toString({ lineWidth: 0 }) : text;
}

function scalarValue(node: unknown): unknown {
  return isScalar(node) ? node.value : undefined;
}
