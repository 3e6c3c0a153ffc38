import type { RunResult } from '../verify/run-result.js';
import { formatDuration } from '../util/duration.js';

const iso = (t: number | undefined) => (t === undefined ? '—' : new Date(t).toISOString());
const dur = (v: number | undefined) => (v === undefined ? '—' : formatDuration(v));
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A Markdown report for people: verdict, objectives vs measured, lost writes, steps, key instants. */
export function renderMarkdownReport(r: RunResult): string {
  const m = r.measurements;
  const lines: string[] = [];
  lines.push(`# Lifeboat ${r.mode}: ${r.runbook}`, '');
  lines.push(`- Run: \`${r.runId}\` (${r.file}), attempt ${r.attempts}`);
  lines.push(`- Started ${iso(r.startedAt)}, finished ${iso(r.finishedAt)} (${dur(r.finishedAt - r.startedAt)})`);
  lines.push(`- Status: **${r.status}**, verdict: **${r.verdict.toUpperCase()}**`);
  if (r.error) lines.push(`- Error: ${r.error}`);
  for (const e of r.cleanupErrors) lines.push(`- Cleanup: ${e}`);
  lines.push('', '## Objectives', '', '| objective | target | measured | margin | result |', '|---|---|---|---|---|');
  for (const v of r.verdicts) {
    const bound = v.objective === 'rpo' && m.rpoIsLowerBound ? '≥ ' : '';
    const measured = v.measuredMs === undefined ? (v.reason ?? 'not measured') : `${bound}${dur(v.measuredMs)}`;
    lines.push(`| ${v.objective.toUpperCase()} | ${dur(v.targetMs)} | ${cell(measured)} | ${dur(v.marginMs)} | ${v.met ? 'met' : '**missed**'} |`);
  }
  lines.push('', '## Measurements', '');
  if (m.faultStartedAt !== undefined) lines.push(`- Fault steps: ${iso(m.faultStartedAt)} to ${iso(m.faultEndedAt)}`);
  if (m.outageObserved === false) lines.push('- Outage start (t0): **no outage observed** — every recovery check after the fault succeeded');
  else lines.push(`- Outage start (t0, the first failed recovery check): ${iso(m.outageStartAt)}`);
  lines.push(`- Recovered (t1): ${iso(m.recoveredAt)}`);
  lines.push(`- Measured RTO: ${dur(m.rtoMs)} (resolution ±${dur(m.rtoResolutionMs)}, the largest observed gap between checks)`);
  if (m.acknowledgedWrites !== undefined) {
    lines.push(`- Acknowledged writes: ${m.acknowledgedWrites}; lost: ${m.lostWrites} (read from ${m.markersReadFrom})`);
    if (m.rpoNotMeasured) lines.push(`- Measured RPO: ${m.rpoNotMeasured}`);
    else lines.push(`- Measured RPO: ${m.rpoIsLowerBound ? '≥ ' : ''}${dur(m.rpoMs)} (resolution ±${dur(m.rpoResolutionMs)})${m.rpoIsLowerBound ? ' — a lower bound: no surviving write precedes the lost ones' : ''}`);
    for (const p of m.dataLossByProbe ?? []) lines.push(`  - ${cell(p.probe)}: ${p.acknowledged} acknowledged, ${p.lost} lost, RPO ${p.rpoIsLowerBound ? '≥ ' : ''}${dur(p.rpoMs)} (read from ${cell(p.readFrom)})`);
    if (m.splitBrain) lines.push(`- **Split brain**: ${m.splitBrain.join(', ')} all accepted writes; markers were read from ${m.markersReadFrom} (newest timeline)`);
  }
  lines.push('', '## Steps', '', '| phase | step | status | attempts | duration | detail |', '|---|---|---|---|---|---|');
  for (const s of r.steps) {
    const detail = s.error ?? (s.output ? JSON.stringify(s.output).slice(0, 120) : '');
    lines.push(`| ${s.phase} | ${s.id} | ${s.status} | ${s.attempts} | ${dur(s.durationMs)} | ${cell(detail)} |`);
  }
  const marks = r.timeline.filter((e) => e.kind === 'mark' || e.kind === 'phase' || e.kind === 'run');
  lines.push('', '## Timeline', '');
  for (const e of marks) {
    const what = e.kind === 'mark' ? e.name : e.kind === 'phase' ? `${e.phase} ${e.status}` : `run ${e.status}`;
    lines.push(`- ${iso(e.t)} (+${dur(e.t - r.startedAt)}) ${what}`);
  }
  return `${lines.join('\n')}\n`;
}
