/** Writes a line to stdout (results go to stdout; logs go to stderr). */
export function out(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** Writes a value as indented JSON to stdout. */
export function outJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
