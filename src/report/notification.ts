import { formatDuration } from '../util/duration.js';
import type { RunResult } from '../verify/run-result.js';

/** The body a webhook receives when a run ends. */
export interface RunNotification {
  /** One line for chat (Slack, Mattermost and Teams incoming webhooks show `text`). */
  text: string;
  event: 'run.finished';
  /** The run result without its timeline (the JSON report and the history keep that). */
  result: Omit<RunResult, 'timeline'>;
}

// Slack reads &, < and > in `text` as its own markup (links, mentions): they must be escaped.
const slackEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The one-line summary a chat shows: verdict, each objective against its measurement, lost writes, the error. */
export function notificationText(r: RunResult): string {
  const m = r.measurements;
  const parts = [`Lifeboat ${r.mode} ${r.runbook}: *${r.verdict.toUpperCase()}*${r.status !== 'completed' ? ` (${r.status})` : ''}`];
  for (const v of r.verdicts) {
    const bound = v.objective === 'rpo' && m.rpoIsLowerBound ? '≥ ' : '';
    const measured = v.measuredMs === undefined ? (v.reason ?? 'not measured') : `${bound}${formatDuration(v.measuredMs)}`;
    parts.push(`${v.objective.toUpperCase()} ${measured} (objective ${formatDuration(v.targetMs)}, ${v.met ? 'met' : 'missed'})`);
  }
  if (m.lostWrites !== undefined) parts.push(`${m.lostWrites} of ${m.acknowledgedWrites ?? 0} writes lost`);
  if (m.splitBrain) parts.push(`split brain: ${m.splitBrain.join(', ')}`);
  if (r.error) parts.push(`error: ${r.error}`);
  parts.push(`run ${r.runId}`);
  return slackEscape(parts.join(' — '));
}

/** The webhook body for a finished run: Slack-compatible `text` plus the result as data. Pure. */
export function runNotification(r: RunResult): RunNotification {
  const { timeline: _timeline, ...result } = r;
  return { text: notificationText(r), event: 'run.finished', result };
}
