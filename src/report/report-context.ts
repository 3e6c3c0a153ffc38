/**
 * What a report may show beyond the run result itself, looked up by the caller (the CLI, from
 * the history): renderers stay pure functions of their arguments.
 */
export interface ReportContext {
  /**
   * When the newest run of the same runbook and mode that met its objectives finished (epoch ms),
   * as of this run: this run's own end when it met them.
   */
  lastSuccessAt?: number;
}
