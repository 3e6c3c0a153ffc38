import { InternalError } from '../errors.js';
import type { RunResult } from '../verify/run-result.js';
import { renderHtmlReport } from './html-report.js';
import { renderJsonReport } from './json-report.js';
import { renderJunitReport } from './junit-report.js';
import { renderMarkdownReport } from './markdown-report.js';
import { renderPrometheusReport } from './prometheus-report.js';
import type { ReportContext } from './report-context.js';

export type { ReportContext } from './report-context.js';

/** The report formats Lifeboat renders. */
export type ReportFormat = 'json' | 'md' | 'html' | 'junit' | 'prom';

/** Every format, in the renderers' order (for option choices and messages). */
export const REPORT_FORMATS: readonly ReportFormat[] = Object.freeze(['json', 'md', 'html', 'junit', 'prom']);

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
  /** `context` holds what the caller looked up beyond the result (e.g. the last success, from history). */
  render(result: RunResult, context?: ReportContext): string;
}

/** Every renderer, in the order their files are written and listed. */
export const reportRenderers: readonly ReportRenderer[] = Object.freeze([
  { format: 'json', fileName: 'report.json', mediaType: 'application/json', render: renderJsonReport },
  { format: 'md', fileName: 'report.md', mediaType: 'text/markdown; charset=utf-8', render: renderMarkdownReport },
  { format: 'html', fileName: 'report.html', mediaType: 'text/html; charset=utf-8', render: renderHtmlReport },
  { format: 'junit', fileName: 'report.junit.xml', mediaType: 'application/xml', render: renderJunitReport },
  { format: 'prom', fileName: 'report.prom', mediaType: 'text/plain; version=0.0.4; charset=utf-8', render: renderPrometheusReport },
] satisfies ReportRenderer[]);

/** The renderer for `format`. */
export function rendererFor(format: ReportFormat): ReportRenderer {
  const renderer = reportRenderers.find((r) => r.format === format);
  // Unreachable while `reportRenderers` covers `ReportFormat`; the renderers test checks it does.
  if (!renderer) throw new InternalError(`no report renderer for format '${format}'`);
  return renderer;
}
