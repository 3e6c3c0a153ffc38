import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { outageWindow, renderHtmlReport } from './html-report.js';
import { HOSTILE, incompleteRunResult, metRunResult, splitBrainRunResult } from './testing/edge-run-results.js';
import { sampleRunResult } from './testing/sample-run-result.js';
import { timelineChart } from './timeline-chart.js';

const svgsOf = (html: string) => [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
/** The text of the element with this id (tags removed, entities kept). */
const elementText = (html: string, id: string) => {
  const m = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</(div|span|p|tr|li|h1)>`).exec(html);
  return m?.[1];
};

describe('the HTML report', () => {
  it('escapes every text from the runbook and the targets: no element, attribute or script gets through', () => {
    const html = renderHtmlReport(metRunResult());
    // Nothing executable or fetchable: no script or img element, no src/href/on… attribute.
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    const tags = [...html.matchAll(/<[a-zA-Z][^>]*>/g)].map((m) => m[0]);
    expect(tags.length).toBeGreaterThan(100);
    expect(tags.filter((t) => /\s(src|href|on[a-z]+)=/i.test(t))).toEqual([]);
    expect(html).toContain('Orders DB &lt;script&gt;window.__lifeboatPwned = 1&lt;/script&gt;&lt;img src=&quot;http://127.0.0.1:9/pixel.png&quot;&gt; &amp; &quot;friends&quot;');
    expect(html).toContain('team &lt;b&gt;payments&lt;/b&gt; &amp; &#39;ops&#39;');
    expect(html).toContain('tier=&lt;i&gt;gold&lt;/i&gt;');
    expect(html).toContain('Kill &lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;');
    expect(html).toContain('&lt;/pre&gt;&lt;script&gt;window.__lifeboatPwned = 3');
  });

  it('refuses scripts and every remote resource through its content security policy', () => {
    const html = renderHtmlReport(metRunResult());
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
    // The only URL is the SVG namespace, which is a name, not a request.
    expect([...html.matchAll(/https?:\/\/[^\s"'<&]+/g)].map((m) => m[0]).filter((u) => u !== 'http://www.w3.org/2000/svg' && !u.startsWith('http://127.0.0.1:9/'))).toEqual([]);
  });

  it('shows the verdict, the measured RTO and RPO against their objectives', () => {
    const html = renderHtmlReport(metRunResult());
    expect(elementText(html, 'verdict')).toBe('MET');
    expect(html).toMatch(/id="measured-rto"[\s\S]*?<div class="figure-value">1\.2s<\/div><div class="figure-target">objective 5s</);
    expect(html).toMatch(/id="measured-rpo"[\s\S]*?<div class="figure-value">0ms<\/div><div class="figure-target">objective 1s</);
    expect(html).toContain('<tr id="objective-rto" class="met"><th scope="row">RTO</th><td>5s</td><td>1.2s (±100ms)</td><td>3.8s</td><td class="result">met</td></tr>');
  });

  it('marks a missed objective, the failed step with its attempts and error, the run error and the cleanup errors', () => {
    const html = renderHtmlReport(sampleRunResult());
    expect(elementText(html, 'verdict')).toBe('MISSED');
    expect(html).toContain('<tr id="objective-rto" class="missed"><th scope="row">RTO</th><td>5s</td><td>7s (±250ms)</td><td>-2s</td><td class="result">MISSED</td></tr>');
    expect(html).toMatch(/<tr class="step step-failed"><td>failover<\/td><td><code>promote<\/code><\/td><td class="status">failed<\/td><td class="num">3<\/td>/);
    expect(html).toContain('pg_ctl: exit 1 | server not\nready');
    expect(html).toContain('step promote failed');
    expect(html).toContain('teardown: port 5433 busy');
  });

  it('shows a split brain, the lower-bound RPO and the lost writes', () => {
    const html = renderHtmlReport(splitBrainRunResult());
    expect(html).toContain('id="split-brain"');
    expect(html).toMatch(/id="measured-rpo"[\s\S]*?<div class="figure-value">≥ 1\.3s</);
    expect(html).toMatch(/id="lost-writes-count"[\s\S]*?<div class="figure-value">7 of 56</);
    expect((html.match(/<tr><td><code>writes-1<\/code><\/td>/g) ?? []).length).toBe(7);
    // One red line per lost write in the whole-run chart; the zoomed one (from 500 ms before the
    // fault at +2.95s) shows the four acknowledged from +2.5s on.
    const [whole, zoomed] = svgsOf(html);
    expect((whole!.match(/<line class="lb-lost"/g) ?? []).length).toBe(7);
    expect((zoomed!.match(/<line class="lb-lost"/g) ?? []).length).toBe(4);
    expect(whole).toContain('<title>lost write writes writes-1:13, acknowledged at +2.2s</title>');
  });

  it('says an incomplete run is INCOMPLETE, whatever was measured, and draws the unfinished step to the run end', () => {
    const r = incompleteRunResult();
    const html = renderHtmlReport(r);
    expect(elementText(html, 'verdict')).toBe('INCOMPLETE');
    expect(html).toContain('The run did not complete (aborted)');
    expect(html).toMatch(/id="measured-rto"[\s\S]*?<div class="figure-value">not recovered</);
    expect(html).toContain('class="lb-step lb-step-unfinished"');
    expect(html).toMatch(/<tr class="step step-started"><td>failover<\/td><td><code>promote<\/code><\/td><td class="status">did not finish<\/td>/);
    expect(html).toContain('interrupted by SIGINT');
  });

  it('draws well-formed SVG: the whole run, and the outage closer when it is a small part of the run', () => {
    const html = renderHtmlReport(metRunResult());
    const svgs = svgsOf(html);
    expect(svgs).toHaveLength(2);
    for (const svg of svgs) expect(XMLValidator.validate(svg)).toBe(true);
    // Probe bands: up, down from t0, up again from t1.
    expect(svgs[0]).toMatch(/class="lb-probe-down"[^>]*><title>ready down: \+3s to \+4\.2s \(1\.2s\)<\/title>/);
    expect(svgs[0]).toContain('>t0<title>');
    expect(svgs[0]).toContain('>t1<title>');
  });

  it('draws no zoomed chart when the outage is most of the run', () => {
    const r = metRunResult();
    const chart = timelineChart({ ...r, startedAt: r.measurements.faultStartedAt! - 100, finishedAt: r.measurements.recoveredAt! + 200, timeline: r.timeline.filter((e) => e.t >= r.measurements.faultStartedAt! - 100 && e.t <= r.measurements.recoveredAt! + 200) });
    expect(outageWindow(chart)).toBeUndefined();
    expect(outageWindow(timelineChart(r))).toEqual({ from: r.measurements.faultStartedAt! - 500, to: r.measurements.recoveredAt! + 500 });
  });

  it('renders a run with an empty timeline and no step or objective', () => {
    const r = { ...sampleRunResult(), steps: [], verdicts: [], timeline: [], measurements: {} };
    const html = renderHtmlReport(r);
    expect(html).toContain('No step ran.');
    expect(html).toContain('The runbook states no objective.');
    for (const svg of svgsOf(html)) expect(XMLValidator.validate(svg)).toBe(true);
  });

  it('keeps the hostile labels readable as key=value pairs', () => {
    const html = renderHtmlReport(metRunResult());
    expect(html).toContain(`<span class="label">path=C:\\drills\\&quot;q&quot;\nnext</span>`);
    expect(HOSTILE.labels.path).toContain('\n');
  });
});
