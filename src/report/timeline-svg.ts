import { formatDuration } from '../util/duration.js';
import { escapeHtml as esc } from './escape.js';
import type { TimelineChart } from './timeline-chart.js';

const WIDTH = 1000;
const LEFT = 170;
const RIGHT = 20;
const TOP = 34;
const ROW = 18;
const GAP = 5;
const SECTION_GAP = 10;
const PLOT = WIDTH - LEFT - RIGHT;
/** Lost writes drawn one by one (each with its own tooltip) up to this many; beyond, as one path. */
const LOST_ONE_BY_ONE = 300;

const STEP_COLOURS: Record<string, string> = {
  succeeded: '#2e8b57',
  'already-done': '#2e8b57',
  skipped: '#8c8c8c',
  failed: '#c62828',
  compensated: '#8e44ad',
  unfinished: '#e08e00',
};
const PHASE_COLOURS: Record<string, string> = { fault: '#b23b3b', failover: '#d17a00', failback: '#3b6fb2' };
const PROBE_COLOURS = { up: '#2e8b57', down: '#c62828' } as const;

const r1 = (n: number) => Math.round(n * 10) / 10;

/** A tick spacing of 1, 2 or 5 × 10^k ms giving about `target` ticks over `span`. */
export function tickStep(span: number, target = 10): number {
  const raw = Math.max(span / target, 1);
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const f of [1, 2, 5, 10]) if (f * pow >= raw) return f * pow;
  return 10 * pow;
}

export interface TimelineSvgOptions {
  /** The span shown (default: the whole run); instants are still labelled from the run's start. */
  view?: { from: number; to: number };
  /** Accessible name of the chart. */
  label?: string;
  /** Unique within the page: prefixes the ids the chart defines. */
  id?: string;
}

/**
 * The run's timeline as an inline SVG (no script, no external reference): phases, steps, probe
 * up/down bands, acknowledged and lost writes, marks, the fault steps, t0 and t1 with the RTO
 * between them. Every label is escaped.
 */
export function renderTimelineSvg(chart: TimelineChart, opts: TimelineSvgOptions = {}): string {
  const view = opts.view ?? chart;
  const id = opts.id ?? 'lb-timeline';
  // Everything is drawn within the view; what lies wholly outside it is left out.
  const c = { ...chart, from: view.from, to: Math.max(view.to, view.from + 1) };
  const span = c.to - c.from;
  const inView = (a: number, b: number) => b >= c.from && a <= c.to;
  const x = (t: number) => r1(LEFT + ((Math.min(Math.max(t, c.from), c.to) - c.from) / span) * PLOT);
  const w = (a: number, b: number) => r1(Math.max(x(b) - x(a), 1));
  // Instants are shown relative to the run's start, in the zoomed view too.
  const rel = (t: number) => `+${formatDuration(t - chart.from)}`;
  const body: string[] = [];
  const labels: string[] = [];
  let y = TOP;

  const rowLabel = (text: string, at: number, cls = 'lb-row') =>
    labels.push(`<text class="${cls}" x="${LEFT - 8}" y="${at + ROW / 2}" text-anchor="end" dominant-baseline="middle">${esc(text.length > 24 ? `${text.slice(0, 23)}…` : text)}<title>${esc(text)}</title></text>`);
  const rect = (start: number, end: number, at: number, fill: string, title: string, cls = '') =>
    body.push(`<rect${cls ? ` class="${cls}"` : ''} x="${x(start)}" y="${at}" width="${w(start, end)}" height="${ROW}" fill="${fill}"><title>${esc(title)}</title></rect>`);

  // Phases share one row.
  if (c.phases.length) {
    rowLabel('phases', y, 'lb-row lb-section');
    for (const p of c.phases.filter((ph) => inView(ph.start, ph.end))) rect(p.start, p.end, y, PHASE_COLOURS[p.phase] ?? '#666', `${p.phase} ${p.status}: ${rel(p.start)} to ${rel(p.end)} (${formatDuration(p.end - p.start)})`, 'lb-phase');
    for (const p of c.phases) if (inView(p.start, p.end) && x(p.end) - x(p.start) > 60) body.push(`<text class="lb-inbar" x="${x(p.start) + 4}" y="${y + ROW / 2}" dominant-baseline="middle">${esc(p.phase)}</text>`);
    y += ROW + GAP + SECTION_GAP;
  }

  for (const s of c.steps) {
    rowLabel(`${s.phase}/${s.id}`, y);
    if (inView(s.start, s.end)) rect(s.start, s.end, y, STEP_COLOURS[s.status] ?? '#666', `${s.phase}/${s.id}: ${s.status}, ${s.attempts} attempt${s.attempts === 1 ? '' : 's'}, ${rel(s.start)} to ${rel(s.end)} (${formatDuration(s.end - s.start)})`, `lb-step lb-step-${s.status}`);
    y += ROW + GAP;
  }
  if (c.steps.length) y += SECTION_GAP;

  for (const p of c.probes) {
    rowLabel(`probe ${p.probe}`, y);
    for (const b of p.bands.filter((band) => inView(band.start, band.end))) rect(b.start, b.end, y, b.state === 'unobserved' ? `url(#${id}-unobserved)` : PROBE_COLOURS[b.state], `${p.probe} ${b.state}: ${rel(b.start)} to ${rel(b.end)} (${formatDuration(b.end - b.start)})`, `lb-probe-${b.state}`);
    y += ROW + GAP;
  }

  if (c.writes.length) {
    if (c.probes.length) y += SECTION_GAP - GAP;
    const writes = c.writes.filter((wr) => inView(wr.t, wr.t));
    const lost = writes.filter((wr) => wr.lost);
    rowLabel('writes', y);
    // Thousands of acks: one path, not thousands of elements.
    const acked = writes.filter((wr) => !wr.lost).map((wr) => `M${x(wr.t)} ${y + 4}V${y + ROW - 4}`).join('');
    if (acked) body.push(`<path class="lb-acked" d="${acked}" stroke="#7a9" stroke-width="1"><title>${writes.length - lost.length} acknowledged writes that survived</title></path>`);
    if (lost.length > LOST_ONE_BY_ONE) body.push(`<path class="lb-lost" d="${lost.map((wr) => `M${x(wr.t)} ${y - 2}V${y + ROW + 2}`).join('')}" stroke="#c62828" stroke-width="2"><title>${lost.length} lost writes</title></path>`);
    else for (const wr of lost) body.push(`<line class="lb-lost" x1="${x(wr.t)}" x2="${x(wr.t)}" y1="${y - 2}" y2="${y + ROW + 2}" stroke="#c62828" stroke-width="2"><title>${esc(`lost write ${wr.probe} ${wr.writer}:${wr.seq}, acknowledged at ${rel(wr.t)}`)}</title></line>`);
    y += ROW + GAP;
  }

  const bottom = y;
  const overlay: string[] = [];
  // The outage the verifier measured, t0 to t1.
  if (c.outageStartAt !== undefined && c.recoveredAt !== undefined)
    overlay.push(`<rect class="lb-rto" x="${x(c.outageStartAt)}" y="${TOP - 4}" width="${w(c.outageStartAt, c.recoveredAt)}" height="${bottom - TOP + 4}" fill="#c62828" fill-opacity="0.08"><title>${esc(`outage t0 to t1: ${formatDuration(c.recoveredAt - c.outageStartAt)}`)}</title></rect>`);
  const vline = (t: number, label: string, colour: string, dash: boolean, title: string, row: number, anchor = 'middle') => {
    if (!inView(t, t)) return;
    overlay.push(
      `<line x1="${x(t)}" x2="${x(t)}" y1="${TOP - 4}" y2="${bottom}" stroke="${colour}" stroke-width="1.5"${dash ? ' stroke-dasharray="4 3"' : ''}><title>${esc(title)}</title></line>`,
      `<text class="lb-vlabel" x="${x(t) + (anchor === 'end' ? -3 : anchor === 'start' ? 3 : 0)}" y="${row}" text-anchor="${anchor}" fill="${colour}">${esc(label)}<title>${esc(title)}</title></text>`,
    );
  };
  if (c.faultStartedAt !== undefined) vline(c.faultStartedAt, 'fault', '#777', true, `fault steps began ${rel(c.faultStartedAt)}`, 10);
  if (c.faultEndedAt !== undefined && c.faultEndedAt !== c.faultStartedAt) vline(c.faultEndedAt, '', '#777', true, `fault steps ended ${rel(c.faultEndedAt)}`, 10);
  if (c.outageStartAt !== undefined) vline(c.outageStartAt, 't0', '#c62828', false, `t0 (outage start, the first failed recovery check) ${rel(c.outageStartAt)}`, 24, 'end');
  if (c.recoveredAt !== undefined) vline(c.recoveredAt, 't1', '#2e8b57', false, `t1 (recovered) ${rel(c.recoveredAt)}`, 24, 'start');
  for (const mk of c.marks.filter((k) => inView(k.t, k.t)))
    overlay.push(`<path class="lb-mark" d="M${x(mk.t) - 4} ${TOP - 10}h8l-4 6z" fill="#444"><title>${esc(`${mk.name} ${rel(mk.t)}${mk.detail ? `: ${mk.detail}` : ''}`)}</title></path>`);

  // Time axis at the bottom, relative to the run's start.
  const axis: string[] = [`<line x1="${LEFT}" x2="${LEFT + PLOT}" y1="${bottom + 2}" y2="${bottom + 2}" stroke="#999"/>`];
  const step = tickStep(span);
  // Ticks at round offsets from the run's start, also in a zoomed view.
  for (let t = chart.from + Math.ceil((c.from - chart.from) / step) * step; t <= c.to; t += step) {
    const at = x(t);
    axis.push(`<line x1="${at}" x2="${at}" y1="${TOP - 4}" y2="${bottom + 6}" stroke="#000" stroke-opacity="0.07"/>`, `<text class="lb-tick" x="${at}" y="${bottom + 18}" text-anchor="middle">${esc(rel(t))}</text>`);
  }
  const height = bottom + 26;
  return [
    `<svg class="lb-timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="100%" id="${id}" role="img" aria-label="${esc(opts.label ?? 'Timeline of the run')}">`,
    `<defs><pattern id="${id}-unobserved" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#ddd"/><line x1="0" y1="0" x2="0" y2="6" stroke="#999" stroke-width="3"/></pattern></defs>`,
    ...axis,
    ...body,
    ...overlay,
    ...labels,
    '</svg>',
  ].join('\n');
}
