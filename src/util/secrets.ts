/**
 * The process-wide list of secret values, masked wherever text leaves Lifeboat (step errors and
 * outputs, reports, history, journal, summary, logs), as CI systems mask their secrets.
 *
 * A run registers the value of every `${env:...}` its runbook uses (Lifeboat cannot tell a
 * password from a port, so it treats them all as secrets).
 */

/**
 * Values shorter than this are not registered: masking `pg`, `on` or `1` would garble every line
 * while hiding nothing worth guessing.
 */
export const MIN_SECRET_LENGTH = 4;

/** What a masked secret becomes. */
export const SECRET_MASK = '***';

const secrets = new Set<string>();
let matcher: RegExp | undefined;
// The same secrets as they appear inside JSON string literals (escaped), for JSON lines.
let jsonMatcher: RegExp | undefined;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The spellings under which a value can show up in text: as is, trimmed, line by line, URL-encoded or decoded. */
function spellings(value: string): string[] {
  const out = new Set<string>([value, value.trim()]);
  // A multi-line secret (a key, a certificate) is often printed one line at a time.
  if (value.includes('\n')) for (const line of value.split(/\r?\n/)) out.add(line.trim());
  // A password with `@`, `:` or `/` is URL-encoded in a DSN, and drivers may print either form.
  out.add(encodeURIComponent(value));
  try {
    out.add(decodeURIComponent(value));
  } catch {
    /* not URL-encoded */
  }
  return [...out].filter((s) => s.length >= MIN_SECRET_LENGTH);
}

function alternation(values: Iterable<string>): RegExp | undefined {
  // Longest first, so that a secret containing another is masked whole.
  const sorted = [...new Set(values)].sort((a, b) => b.length - a.length);
  return sorted.length ? new RegExp(sorted.map(escapeRegExp).join('|'), 'g') : undefined;
}

/**
 * Adds values to mask from now on. Values shorter than {@link MIN_SECRET_LENGTH} are ignored, and
 * so are values made of digits only (a port, a pid): masking them inside every longer number —
 * instants, counts, durations — would corrupt the figures a run exists to report.
 */
export function registerSecrets(values: Iterable<string | undefined>): void {
  let added = false;
  for (const value of values) {
    if (typeof value !== 'string' || /^\s*\d+\s*$/.test(value)) continue;
    for (const s of spellings(value)) {
      if (secrets.has(s)) continue;
      secrets.add(s);
      added = true;
    }
  }
  if (!added) return;
  matcher = alternation(secrets);
  jsonMatcher = alternation([...secrets].map((s) => JSON.stringify(s).slice(1, -1)));
}

/** Forgets every registered secret (tests; a library user starting over). */
export function forgetSecrets(): void {
  secrets.clear();
  matcher = undefined;
  jsonMatcher = undefined;
}

/** Replaces every registered secret in `text` with {@link SECRET_MASK}. */
export function maskSecrets(text: string): string {
  if (!matcher || !text) return text;
  return text.replace(matcher, SECRET_MASK);
}

/**
 * Masks registered secrets inside the string literals of a JSON text only, so that numbers and
 * the structure stay intact (a secret `5432` must not turn a timestamp into broken JSON). Text
 * that is not JSON (pretty logs) is masked as a whole.
 */
export function maskSecretsInJsonLine(line: string): string {
  if (!matcher || !jsonMatcher) return line;
  const json = jsonMatcher;
  if (!line.trimStart().startsWith('{')) return maskSecrets(line);
  return line.replace(/"(?:[^"\\]|\\.)*"/g, (literal) => literal.replace(json, SECRET_MASK));
}
