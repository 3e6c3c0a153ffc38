import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

/** A position in a source file, 1-based. */
export interface Position {
  line: number;
  column: number;
}

type Segment = string | number;

function keyOf(k: unknown): string | undefined {
  if (isScalar(k)) return String(k.value);
  if (typeof k === 'string' || typeof k === 'number') return String(k);
  return undefined;
}

/**
 * Finds where `path` sits in a parsed YAML document. When the path does not exist (a missing
 * field), returns the position of its deepest existing parent. With `key`, points at that key
 * inside the map at `path` (for unknown fields).
 */
export function locate(doc: Document, counter: LineCounter, path: readonly Segment[], key?: string): Position {
  let node: Node | null | undefined = doc.contents as Node | null;
  let best: Node | null | undefined = node;
  const segs = key === undefined ? path : [...path, key];
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    let next: Node | null | undefined;
    let keyNode: Node | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => keyOf(p.key) === String(seg));
      if (pair) {
        next = pair.value as Node | null;
        keyNode = pair.key as Node;
      }
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg] as Node | undefined;
    }
    if (next === undefined && keyNode === undefined) break;
    // For the last segment of an unknown-key lookup, or a null value, point at the key.
    const pointAtKey = (key !== undefined && i === segs.length - 1) || next === null;
    best = pointAtKey && keyNode ? keyNode : (next ?? keyNode);
    node = next;
    if (node === null) break;
  }
  const offset = best?.range?.[0] ?? 0;
  const { line, col } = counter.linePos(offset);
  return { line, column: col };
}

/** Formats a path as `failover[0].retry.initialInterval`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}
