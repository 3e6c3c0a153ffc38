import type { RunResult } from '../verify/run-result.js';
import type { ReportContext } from './report-context.js';

type Labels = Record<string, string>;
interface Metric {
  name: string;
  help: string;
  samples: Array<{ labels?: Labels; value: number }>;
}

/** A label value in the exposition format: backslash, double quote and line feed escaped. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
// Microseconds are below any resolution Lifeboat measures; more digits would be noise.
const seconds = (ms: number) => Number((ms / 1000).toFixed(6));
const bool = (b: boolean) => (b ? 1 : 0);

function format(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/**
 * Prometheus text exposition of one run (for the node_exporter textfile collector or a
 * Pushgateway): measured RTO/RPO and the objectives in seconds, per-objective and overall
 * verdicts, writes acknowledged and lost, the run's duration and times, and the last success.
 * Every series is labelled by runbook and mode. A figure that was not measured has no sample
 * (never a made-up 0); the verdict says why. No sample carries a timestamp (the textfile
 * collector refuses them).
 */
export function renderPrometheusReport(r: RunResult, context: ReportContext = {}): string {
  const m = r.measurements;
  const base: Labels = { runbook: r.runbook, mode: r.mode };
  const one = (value: number, extra: Labels = {}) => [{ labels: { ...base, ...extra }, value }];
  const metrics: Metric[] = [
    { name: 'lifeboat_run_info', help: 'The run these figures come from (value always 1).', samples: one(1, { run_id: r.runId, status: r.status, verdict: r.verdict }) },
    {
      name: 'lifeboat_verdict',
      help: 'Verdict of the run: 1 for its verdict (met, missed or incomplete), 0 for the others.',
      samples: (['met', 'missed', 'incomplete'] as const).map((v) => ({ labels: { ...base, verdict: v }, value: bool(r.verdict === v) })),
    },
    { name: 'lifeboat_objectives_met', help: 'Whether the run completed and met every objective (1) or not (0).', samples: one(bool(r.verdict === 'met')) },
    { name: 'lifeboat_rto_seconds', help: 'Measured recovery time: t1 (recovered) minus t0 (the first failed recovery check).', samples: m.rtoMs === undefined ? [] : one(seconds(m.rtoMs)) },
    { name: 'lifeboat_rto_resolution_seconds', help: 'Resolution of the measured RTO: the largest observed gap between recovery checks around t0 and t1.', samples: m.rtoMs === undefined || m.rtoResolutionMs === undefined ? [] : one(seconds(m.rtoResolutionMs)) },
    { name: 'lifeboat_rpo_seconds', help: 'Measured data-loss window (RPO) from acknowledged write markers; a lower bound when lifeboat_rpo_lower_bound is 1.', samples: m.rpoMs === undefined || m.rpoNotMeasured ? [] : one(seconds(m.rpoMs)) },
    { name: 'lifeboat_rpo_resolution_seconds', help: 'Resolution of the measured RPO: the writes interval.', samples: m.rpoMs === undefined || m.rpoNotMeasured || m.rpoResolutionMs === undefined ? [] : one(seconds(m.rpoResolutionMs)) },
    { name: 'lifeboat_rpo_lower_bound', help: 'Whether the measured RPO is only a lower bound (no surviving write precedes the lost ones).', samples: m.rpoMs === undefined || m.rpoNotMeasured ? [] : one(bool(m.rpoIsLowerBound === true)) },
    { name: 'lifeboat_objective_seconds', help: 'Recovery objective from the runbook.', samples: r.verdicts.map((v) => ({ labels: { ...base, objective: v.objective }, value: seconds(v.targetMs) })) },
    { name: 'lifeboat_objective_met', help: 'Whether the measured value met the objective (1) or not (0).', samples: r.verdicts.map((v) => ({ labels: { ...base, objective: v.objective }, value: bool(v.met) })) },
    {
      name: 'lifeboat_objective_margin_seconds',
      help: 'Objective minus measured value: negative when missed.',
      samples: r.verdicts.flatMap((v) => (v.marginMs === undefined ? [] : [{ labels: { ...base, objective: v.objective }, value: seconds(v.marginMs) }])),
    },
    { name: 'lifeboat_acknowledged_writes', help: 'Distinct write markers acknowledged during the run.', samples: m.acknowledgedWrites === undefined ? [] : one(m.acknowledgedWrites) },
    { name: 'lifeboat_lost_writes', help: 'Acknowledged write markers missing after recovery.', samples: m.lostWrites === undefined ? [] : one(m.lostWrites) },
    { name: 'lifeboat_split_brain', help: 'Whether more than one endpoint accepted writes after recovery.', samples: m.acknowledgedWrites === undefined ? [] : one(bool((m.splitBrain?.length ?? 0) > 0)) },
    { name: 'lifeboat_run_duration_seconds', help: 'Wall time of the run, from start to end (all attempts of a resumed run).', samples: one(seconds(r.finishedAt - r.startedAt)) },
    { name: 'lifeboat_run_start_timestamp_seconds', help: 'When the run started, in seconds since the Unix epoch.', samples: one(seconds(r.startedAt)) },
    { name: 'lifeboat_run_end_timestamp_seconds', help: 'When the run ended, in seconds since the Unix epoch.', samples: one(seconds(r.finishedAt)) },
  ];
  const lastSuccess = r.verdict === 'met' ? Math.max(r.finishedAt, context.lastSuccessAt ?? -Infinity) : context.lastSuccessAt;
  metrics.push({
    name: 'lifeboat_last_success_timestamp_seconds',
    help: 'When the newest run of this runbook and mode that met its objectives ended, in seconds since the Unix epoch.',
    samples: lastSuccess === undefined ? [] : one(seconds(lastSuccess)),
  });

  const lines: string[] = [];
  for (const metric of metrics) {
    if (!metric.samples.length) continue;
    lines.push(`# HELP ${metric.name} ${escapeHelp(metric.help)}`, `# TYPE ${metric.name} gauge`);
    for (const s of metric.samples) {
      const labels = Object.entries(s.labels ?? {})
        .map(([k, v]) => `${k}="${escapeLabelValue(v)}"`)
        .join(',');
      lines.push(`${metric.name}${labels ? `{${labels}}` : ''} ${format(s.value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
