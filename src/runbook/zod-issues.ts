import type { z } from 'zod';

/** A schema problem reduced to a path, an optional unknown key, and a message for people. */
export interface FlatIssue {
  path: Array<string | number>;
  /** For unknown fields: the key, so the position points at it. */
  key?: string;
  message: string;
}

type Issue = z.core.$ZodIssue;

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg as string];
  }
  return v;
}

/** How badly a union branch fits the value: wrong discriminators and unknown keys weigh most. */
function branchScore(issues: Issue[], value: unknown, depth: number): number {
  let score = 0;
  for (const i of issues) {
    const rel = i.path.length - depth;
    if (i.code === 'invalid_union' && (i as { note?: string }).note === 'No matching discriminator') {
      const disc = (i as { discriminator?: string }).discriminator;
      const hasKey = disc !== undefined && value !== null && typeof value === 'object' && disc in value;
      score += hasKey ? 1 : 1000;
    } else if (i.code === 'invalid_type' && rel === 1 && value !== null && typeof value === 'object' && !(String(i.path[depth]) in value)) {
      // A missing required field (say `parallel`) says the value was not meant to be this shape,
      // as strongly as a missing discriminator does.
      score += 1000;
    } else if (i.code === 'unrecognized_keys' && rel === 0) {
      score += 10 * i.keys.length;
    } else {
      score += 1;
    }
  }
  return score;
}

function describe(issue: Issue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type': {
      const received = value === undefined ? 'nothing' : value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value;
      if (value === undefined) return `required field is missing (expected ${issue.expected})`;
      return `expected ${issue.expected}, got ${received}`;
    }
    case 'invalid_value': {
      const expected = issue.values.map((v) => JSON.stringify(v)).join(' | ');
      if (value === undefined) return `required field is missing (expected ${expected})`;
      return `expected ${expected}, got ${JSON.stringify(value)}`;
    }
    case 'invalid_union': {
      const note = (issue as { note?: string }).note;
      if (note === 'No matching discriminator') {
        const disc = (issue as { discriminator?: string }).discriminator ?? 'type';
        const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
        if (value === undefined) return `required field "${disc}" is missing (one of: ${options.join(', ')})`;
        return `unknown ${disc} ${JSON.stringify(value)}; expected one of: ${options.join(', ')}`;
      }
      return issue.message;
    }
    default:
      return issue.message;
  }
}

/** Flattens zod issues, choosing the best-fitting branch of each union, into path + message. */
export function flattenIssues(issues: readonly Issue[], root: unknown): FlatIssue[] {
  const out: FlatIssue[] = [];
  // Issues inside a union branch have paths relative to the union: carry the prefix down.
  const visit = (prefix: PropertyKey[]) => (raw: Issue) => {
    const issue = { ...raw, path: [...prefix, ...raw.path] } as Issue;
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const value = valueAt(root, issue.path);
      let best = issue.errors[0]!;
      let bestScore = Infinity;
      for (const branch of issue.errors) {
        const s = branchScore(branch, value, 0);
        if (s < bestScore) {
          best = branch;
          bestScore = s;
        }
      }
      best.forEach(visit(issue.path));
      return;
    }
    const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) out.push({ path, key: k, message: `unknown field "${k}"` });
      return;
    }
    out.push({ path, message: describe(issue, valueAt(root, issue.path)) });
  };
  issues.forEach(visit([]));
  return out;
}
