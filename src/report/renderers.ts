import { InternalError } from '../errors.js';
import type { RunResult } from '../verify/run-result.js';
import { renderJsonReport } from './json-report.js';
import { renderMarkdownReport } from './markdown-report.js';

/** The report formats Lifeboat renders. Grows with html, junit and prom. */
export type ReportFormat = 'json' | 'md';

/**
 * One report format: a pure function of a stored run result, plus the file it is written to.
 * Renderers touch nothing; the CLI decides where (and whether) the output is written.
 */
export interface ReportRenderer {
  readonly format: ReportFormat;
  /** File name inside a report directory, e.g. `report.json`. Unique across the list. */
  readonly fileName: string;
  /** IANA media type of the rendered text. */
  readonly mediaType: string;
  render(result: RunResult): string;
}

/** Every renderer, in the order their files are written and listed. */
export const reportRenderers: readonly ReportRenderer[] = Object.freeze([
  { format: 'json', fileName: 'report.json', mediaType: 'application/json', render: renderJsonReport },
  { format: 'md', fileName: 'report.md', mediaType: 'text/markdown; charset=utf-8', render: renderMarkdownReport },
] satisfies ReportRenderer[]);

/** The renderer for `format`. */
export function rendererFor(format: ReportFormat): ReportRenderer {
  const renderer = reportRenderers.find((r) => r.format === format);
  // Unreachable while `reportRenderers` covers `ReportFormat`; the renderers test checks it does.
  if (!renderer) throw new InternalError(`no report renderer for format '${format}'`);
  return renderer;
}
