import { formatDuration } from '../util/duration.js';
import type { RunResult, StepSummary } from '../verify/run-result.js';
import type { ObjectiveVerdict } from '../verify/verdict.js';
import { escapeHtml as esc } from './escape.js';
import { HTML_REPORT_STYLE } from './html-report-style.js';
import { timelineChart, type TimelineChart } from './timeline-chart.js';
import { renderTimelineSvg } from './timeline-svg.js';

/** Step output shown in the steps table is cut here: the JSON report keeps all of it. */
const OUTPUT_LIMIT = 2_000;

// No script, no style sheet, font or image from anywhere: the report is one file that opens
// offline and years later. The policy makes a browser refuse anything else outright.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const iso = (t: number | undefined) => (t === undefined ? '—' : new Date(t).toISOString());
const dur = (v: number | undefined) => (v === undefined ? '—' : formatDuration(v));

/**
 * A self-contained HTML report for people: verdict, objectives against what was measured, the
 * run's timeline as an inline SVG chart, data loss, and the steps with their attempts, errors and
 * output. Pure: no I/O, no clock; every text from the runbook or a target is escaped.
 */
export function renderHtmlReport(r: RunResult): string {
  const m = r.measurements;
  const title = `Lifeboat ${r.mode}: ${r.runbook} — ${r.verdict.toUpperCase()}`;
  const parts: string[] = [];
  parts.push(
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    `<style>${HTML_REPORT_STYLE}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>Lifeboat ${esc(r.mode)}: <span id="runbook">${esc(r.runbook)}</span> <span id="verdict" class="verdict verdict-${esc(r.verdict)}">${esc(r.verdict.toUpperCase())}</span></h1>`,
  );
  if (r.description !== undefined) parts.push(`<p id="description" class="description">${esc(r.description)}</p>`);
  const facts: Array<[string, string]> = [
    ['run', `<code>${esc(r.runId)}</code>`],
    ['runbook file', `<code>${esc(r.file)}</code>`],
    ['status', `<span class="status-${esc(r.status)}">${esc(r.status)}</span>`],
    ['started', esc(iso(r.startedAt))],
    ['finished', `${esc(iso(r.finishedAt))} (${esc(dur(r.finishedAt - r.startedAt))})`],
    ['attempts', String(r.attempts)],
  ];
  if (r.owner !== undefined) facts.push(['owner', `<span id="owner">${esc(r.owner)}</span>`]);
  if (r.labels && Object.keys(r.labels).length)
    facts.push(['labels', `<span id="labels">${Object.entries(r.labels).map(([k, v]) => `<span class="label">${esc(k)}=${esc(v)}</span>`).join(' ')}</span>`]);
  parts.push(`<dl class="facts">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>`, '</header>');

  if (r.error || r.cleanupErrors.length) {
    parts.push('<section class="problems"><h2>Problems</h2><ul>');
    if (r.error) parts.push(`<li id="run-error"><strong>error:</strong> <span class="pre">${esc(r.error)}</span></li>`);
    for (const e of r.cleanupErrors) parts.push(`<li class="cleanup-error"><strong>cleanup:</strong> <span class="pre">${esc(e)}</span></li>`);
    parts.push('</ul></section>');
  }

  parts.push(...keyFigures(r), ...objectivesTable(r), ...measurementsList(r));
  const chart = timelineChart(r);
  parts.push('<section><h2>Timeline</h2>', renderTimelineSvg(chart, { id: 'timeline' }), legend());
  const zoom = outageWindow(chart);
  if (zoom)
    parts.push(
      `<h3>The outage, closer: ${esc(`+${formatDuration(zoom.from - chart.from)}`)} to ${esc(`+${formatDuration(zoom.to - chart.from)}`)}</h3>`,
      renderTimelineSvg(chart, { id: 'timeline-outage', view: zoom, label: 'Timeline of the outage, from the fault to recovery' }),
    );
  parts.push('</section>');
  parts.push(...stepsTable(r.steps, r.startedAt));
  if (m.lostWriteSample?.length) {
    parts.push(
      `<section><h2>Lost writes</h2><p>The newest ${m.lostWriteSample.length} of ${m.lostWrites ?? m.lostWriteSample.length} acknowledged writes missing after recovery:</p>`,
      '<table id="lost-writes"><thead><tr><th>writer</th><th>seq</th><th>acknowledged</th></tr></thead><tbody>',
      ...m.lostWriteSample.map((w) => `<tr><td><code>${esc(w.writer)}</code></td><td class="num">${w.seq}</td><td>${esc(iso(w.t))} (+${esc(dur(w.t - r.startedAt))})</td></tr>`),
      '</tbody></table></section>',
    );
  }
  parts.push('<footer>Lifeboat run report. Every figure comes from events observed during the run; the JSON report holds the whole timeline.</footer>', '</body>', '</html>');
  return `${parts.join('\n')}\n`;
}

/**
 * The span from the fault (or t0) to recovery with some margin, when it is a small part of the
 * run: lab start-up, steady state and failback would otherwise squeeze the outage into a sliver.
 */
export function outageWindow(c: TimelineChart): { from: number; to: number } | undefined {
  const start = Math.min(c.faultStartedAt ?? Infinity, c.outageStartAt ?? Infinity);
  if (!Number.isFinite(start)) return undefined;
  const end = Math.max(c.recoveredAt ?? -Infinity, c.outageStartAt ?? -Infinity, c.faultEndedAt ?? -Infinity);
  const pad = Math.max(500, (end - start) * 0.25);
  const from = Math.max(c.from, start - pad);
  const to = Math.min(c.to, end + pad);
  return to - from < (c.to - c.from) * 0.6 ? { from, to } : undefined;
}

function measuredText(v: ObjectiveVerdict, r: RunResult): string {
  const m = r.measurements;
  if (v.measuredMs === undefined) return v.reason ?? 'not measured';
  const bound = v.objective === 'rpo' && m.rpoIsLowerBound ? '≥ ' : '';
  const resolution = v.objective === 'rto' ? m.rtoResolutionMs : m.rpoResolutionMs;
  return `${bound}${formatDuration(v.measuredMs)}${resolution ? ` (±${formatDuration(resolution)})` : ''}`;
}

function keyFigures(r: RunResult): string[] {
  const m = r.measurements;
  const rpo = m.rpoNotMeasured ? 'not measured' : m.rpoMs === undefined ? '—' : `${m.rpoIsLowerBound ? '≥ ' : ''}${formatDuration(m.rpoMs)}`;
  const card = (id: string, label: string, value: string, target?: number) =>
    `<div class="figure" id="${id}"><div class="figure-label">${esc(label)}</div><div class="figure-value">${esc(value)}</div>${target !== undefined ? `<div class="figure-target">objective ${esc(formatDuration(target))}</div>` : ''}</div>`;
  return [
    '<section class="figures">',
    card('measured-rto', 'Measured RTO', m.rtoMs === undefined ? (m.recoveredAt === undefined ? 'not recovered' : '—') : formatDuration(m.rtoMs), r.objectives.rtoMs),
    card('measured-rpo', 'Measured RPO', rpo, r.objectives.rpoMs),
    card('lost-writes-count', 'Lost writes', m.lostWrites === undefined ? '—' : `${m.lostWrites} of ${m.acknowledgedWrites ?? 0}`),
    card('verdict-figure', 'Verdict', r.verdict.toUpperCase()),
    '</section>',
  ];
}

function objectivesTable(r: RunResult): string[] {
  if (!r.verdicts.length) return ['<section><h2>Objectives</h2><p>The runbook states no objective.</p></section>'];
  const rows = r.verdicts.map((v) => {
    const why = !v.met && v.reason && v.measuredMs !== undefined ? ` <span class="why">(${esc(v.reason)})</span>` : '';
    return `<tr id="objective-${v.objective}" class="${v.met ? 'met' : 'missed'}"><th scope="row">${v.objective.toUpperCase()}</th><td>${esc(dur(v.targetMs))}</td><td>${esc(measuredText(v, r))}</td><td>${esc(dur(v.marginMs))}</td><td class="result">${v.met ? 'met' : 'MISSED'}${why}</td></tr>`;
  });
  return [
    '<section><h2>Objectives</h2>',
    r.status !== 'completed' ? `<p class="note">The run did not complete (${esc(r.status)}): the verdict is INCOMPLETE whatever these figures say.</p>` : '',
    '<table id="objectives"><thead><tr><th>objective</th><th>target</th><th>measured</th><th>margin</th><th>result</th></tr></thead><tbody>',
    ...rows,
    '</tbody></table></section>',
  ];
}

function measurementsList(r: RunResult): string[] {
  const m = r.measurements;
  const rel = (t: number | undefined) => (t === undefined ? '—' : `${iso(t)} (+${dur(t - r.startedAt)})`);
  const items: string[] = [];
  if (m.faultStartedAt !== undefined) items.push(`Fault steps: ${rel(m.faultStartedAt)} to ${rel(m.faultEndedAt)}`);
  if (m.outageObserved === false) items.push('Outage start (t0): no outage observed — every recovery check after the fault succeeded');
  else items.push(`Outage start (t0, the first failed recovery check): ${rel(m.outageStartAt)}`);
  items.push(`Recovered (t1): ${rel(m.recoveredAt)}`);
  items.push(`Measured RTO: ${dur(m.rtoMs)}${m.rtoResolutionMs !== undefined ? ` (resolution ±${dur(m.rtoResolutionMs)}, the largest observed gap between checks)` : ''}`);
  if (m.acknowledgedWrites !== undefined) {
    items.push(`Acknowledged writes: ${m.acknowledgedWrites}; lost: ${m.lostWrites ?? 0}${m.markersReadFrom ? ` (read from ${m.markersReadFrom})` : ''}`);
    if (m.rpoNotMeasured) items.push(`Measured RPO: ${m.rpoNotMeasured}`);
    else items.push(`Measured RPO: ${m.rpoIsLowerBound ? '≥ ' : ''}${dur(m.rpoMs)}${m.rpoResolutionMs !== undefined ? ` (resolution ±${dur(m.rpoResolutionMs)})` : ''}${m.rpoIsLowerBound ? ' — a lower bound: no surviving write precedes the lost ones' : ''}`);
    for (const p of m.dataLossByProbe ?? []) items.push(`${p.probe}: ${p.acknowledged} acknowledged, ${p.lost} lost, RPO ${p.rpoIsLowerBound ? '≥ ' : ''}${dur(p.rpoMs)} (read from ${p.readFrom})`);
  }
  const splitBrain = m.splitBrain ? [`<p id="split-brain" class="alert"><strong>Split brain:</strong> ${esc(m.splitBrain.join(', '))} all accepted writes; the markers were read from ${esc(m.markersReadFrom ?? '—')} (newest timeline).</p>`] : [];
  return ['<section><h2>Measurements</h2>', ...splitBrain, `<ul id="measurements">${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul></section>`];
}

function stepsTable(steps: readonly StepSummary[], startedAt: number): string[] {
  if (!steps.length) return ['<section><h2>Steps</h2><p>No step ran.</p></section>'];
  const rows = steps.map((s) => {
    const output = s.output === undefined ? '' : JSON.stringify(s.output, null, 2) ?? '';
    const shown = output.length > OUTPUT_LIMIT ? `${output.slice(0, OUTPUT_LIMIT)}\n… (${output.length - OUTPUT_LIMIT} more characters in report.json)` : output;
    const detail = [s.error !== undefined ? `<div class="error pre">${esc(s.error)}</div>` : '', shown ? `<details><summary>output</summary><pre>${esc(shown)}</pre></details>` : ''].join('');
    return (
      `<tr class="step step-${esc(s.status)}"><td>${esc(s.phase)}</td><td><code>${esc(s.id)}</code>${s.description !== undefined ? `<div class="step-description">${esc(s.description)}</div>` : ''}</td>` +
      `<td class="status">${esc(s.endedAt === undefined && s.status === 'started' ? 'did not finish' : s.status)}</td><td class="num">${s.attempts}</td><td>${s.startedAt === undefined ? '—' : esc(`+${formatDuration(s.startedAt - startedAt)}`)}</td><td>${esc(dur(s.durationMs))}</td><td>${detail}</td></tr>`
    );
  });
  return [
    '<section><h2>Steps</h2>',
    '<table id="steps"><thead><tr><th>phase</th><th>step</th><th>status</th><th>attempts</th><th>started</th><th>duration</th><th>error / output</th></tr></thead><tbody>',
    ...rows,
    '</tbody></table></section>',
  ];
}

function legend(): string {
  const item = (cls: string, text: string) => `<span class="legend-item"><span class="swatch ${cls}"></span>${text}</span>`;
  return `<p class="legend">${[
    item('sw-up', 'probe up'),
    item('sw-down', 'probe down'),
    item('sw-unobserved', 'not observed (runner down)'),
    item('sw-ok', 'step succeeded'),
    item('sw-failed', 'step failed'),
    item('sw-acked', 'write acknowledged'),
    item('sw-lost', 'write lost'),
    item('sw-rto', 'outage t0 → t1 (RTO)'),
  ].join(' ')}</p>`;
}
