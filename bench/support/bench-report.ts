/** One measured figure next to its target. `within` is undefined for figures given for information. */
export interface Figure {
  figure: string;
  measured: string;
  target: string;
  within?: boolean;
}

/** What a benchmark hands back: its figures and free-text notes (breakdowns, diagnoses). */
export interface BenchReport {
  title: string;
  figures: Figure[];
  notes: string[];
}

/** A benchmark: a name to filter on and the function that runs it (loaded lazily). */
export interface Bench {
  name: string;
  run(progress: (line: string) => void): Promise<BenchReport>;
}

/** `123.4 ms` below ten seconds, `12.35 s` above. */
export function fmtMs(value: number, digits = 1): string {
  return Math.abs(value) >= 10_000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(digits)} ms`;
}

export function fmtS(valueMs: number): string {
  return `${(valueMs / 1000).toFixed(2)} s`;
}

/** A figure checked against an upper bound. */
export function atMost(figure: string, value: number, limit: number, fmt: (v: number) => string = fmtMs): Figure {
  return { figure, measured: fmt(value), target: `≤ ${fmt(limit)}`, within: value <= limit };
}

/** A figure given for information only. */
export function info(figure: string, measured: string): Figure {
  return { figure, measured, target: '—' };
}

/** Renders figures as an aligned text table. */
export function renderTable(figures: readonly Figure[]): string {
  const rows = [
    ['figure', 'measured', 'target', 'within target'],
    ...figures.map((f) => [f.figure, f.measured, f.target, f.within === undefined ? '—' : f.within ? 'yes' : 'NO']),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => [...r[c]!].length)));
  const line = (r: string[]) => r.map((cell, c) => cell + ' '.repeat(widths[c]! - [...cell].length)).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
