import type { RunResult } from '../verify/run-result.js';

/** The JSON report: the whole run result, timeline included. */
export function renderJsonReport(r: RunResult): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
