import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../src/report/html-report.js';
import { renderPrometheusReport } from '../src/report/prometheus-report.js';
import { HOSTILE, incompleteRunResult, metRunResult, splitBrainRunResult } from '../src/report/testing/edge-run-results.js';
import { sampleRunResult } from '../src/report/testing/sample-run-result.js';
import { formatDuration } from '../src/util/duration.js';
import type { RunResult } from '../src/verify/run-result.js';
import { artifactPath, launchChromium, promtoolCheck } from './support/report-tools.js';
import { journalOf, runCli, tempStateDir } from './support/run-cli.js';

// One real drill (a local PostgreSQL primary and replica as processes) gives the reports under
// test; synthetic results cover what a healthy drill does not show (split brain, an interrupted
// run, hostile text).
let state: string;
let out: string;
let drill: RunResult;
let browser: Browser;
const scratch = mkdtempSync(join(tmpdir(), 'lifeboat-reports-'));

beforeAll(async () => {
  state = tempStateDir();
  out = join(state, 'out');
  const r = await runCli(['--state-dir', state, 'drill', 'runbooks/local-postgres-failover.yaml', '--out', out]);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  drill = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunResult;
  expect(drill.runId).toBe(journalOf(state)!.runId);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  rmSync(scratch, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  requests: string[];
  problems: string[];
}

/** Opens an HTML file in a fresh page, recording every request and every console error or page error. */
async function open(path: string): Promise<Opened> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // Anything but the report itself is refused (and still recorded above).
  await context.route('**/*', (route) => (route.request().url() === pathToFileURL(path).href ? route.continue() : route.abort()));
  await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
  return { page, requests, problems };
}

function writeHtml(name: string, r: RunResult): string {
  const path = join(scratch, name);
  writeFileSync(path, renderHtmlReport(r));
  return path;
}

describe('the HTML report in headless Chromium', () => {
  it('of a real drill shows the measured RTO, RPO and verdict, loads nothing and logs no error', async () => {
    const path = join(out, 'report.html');
    const { page, requests, problems } = await open(path);
    const m = drill.measurements;
    expect(await page.locator('#verdict').innerText()).toBe('MET');
    await expect.poll(() => page.locator('#verdict').isVisible()).toBe(true);
    expect(await page.locator('#measured-rto .figure-value').innerText()).toBe(formatDuration(m.rtoMs!));
    expect(await page.locator('#measured-rto').isVisible()).toBe(true);
    expect(await page.locator('#measured-rpo .figure-value').innerText()).toBe(formatDuration(m.rpoMs!));
    expect(await page.locator('#measured-rpo').isVisible()).toBe(true);
    expect(await page.locator('#lost-writes-count .figure-value').innerText()).toBe(`${m.lostWrites} of ${m.acknowledgedWrites}`);
    const rtoRow = await page.locator('#objective-rto').innerText();
    expect(rtoRow).toContain(formatDuration(drill.objectives.rtoMs!));
    expect(rtoRow).toContain(`${formatDuration(m.rtoMs!)} (±${formatDuration(m.rtoResolutionMs!)})`);
    // Every step, each with its attempts; the timeline drawn, t0 and t1 on it.
    expect(await page.locator('#steps tbody tr').count()).toBe(drill.steps.length);
    expect(await page.locator('svg#timeline').isVisible()).toBe(true);
    expect(await page.locator('svg#timeline .lb-vlabel', { hasText: 't0' }).count()).toBe(1);
    expect(await page.locator('svg#timeline .lb-vlabel', { hasText: 't1' }).count()).toBe(1);
    expect(await page.locator('svg#timeline .lb-probe-down').count()).toBeGreaterThanOrEqual(1);
    expect(requests).toEqual([pathToFileURL(path).href]);
    expect(problems).toEqual([]);
    await page.screenshot({ path: artifactPath('report-real-drill.png'), fullPage: true });
  }, 60_000);

  it('shows runbook and target text containing <script> as text, and no script runs', async () => {
    const r = splitBrainRunResult();
    const path = writeHtml('hostile.html', r);
    const { page, requests, problems } = await open(path);
    expect(await page.locator('#description').textContent()).toBe(HOSTILE.description);
    expect(await page.locator('#description').isVisible()).toBe(true);
    expect(await page.locator('#owner').textContent()).toBe(HOSTILE.owner);
    expect(await page.locator('#labels .label').allTextContents()).toEqual(Object.entries(HOSTILE.labels).map(([k, v]) => `${k}=${v}`));
    expect(await page.locator('.step-description').first().textContent()).toBe(HOSTILE.stepDescription);
    expect(await page.locator('#steps pre').first().textContent()).toContain('</pre><script>window.__lifeboatPwned = 3</script>');
    // Nothing became an element, nothing ran, nothing was fetched.
    expect(await page.locator('script, img, iframe, object, embed').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __lifeboatPwned?: number }).__lifeboatPwned)).toBeUndefined();
    expect(requests).toEqual([pathToFileURL(path).href]);
    expect(problems).toEqual([]);
    // The split brain and the lost writes are there to see.
    expect(await page.locator('#split-brain').isVisible()).toBe(true);
    expect(await page.locator('#measured-rpo .figure-value').innerText()).toBe('≥ 1.3s');
    expect(await page.locator('#lost-writes tbody tr').count()).toBe(7);
    expect(await page.locator('#verdict').innerText()).toBe('MISSED');
    await page.screenshot({ path: artifactPath('report-split-brain.png'), fullPage: true });
  }, 60_000);

  it('of an interrupted run says INCOMPLETE and shows the unfinished step and the errors', async () => {
    const path = writeHtml('incomplete.html', incompleteRunResult());
    const { page, requests, problems } = await open(path);
    expect(await page.locator('#verdict').innerText()).toBe('INCOMPLETE');
    expect(await page.locator('#run-error').innerText()).toContain('interrupted by SIGINT');
    expect(await page.locator('.cleanup-error').innerText()).toContain('teardown: port 5433 busy');
    expect(await page.locator('#measured-rto .figure-value').innerText()).toBe('not recovered');
    expect(await page.locator('svg#timeline .lb-step-unfinished').count()).toBe(1);
    expect(requests).toEqual([pathToFileURL(path).href]);
    expect(problems).toEqual([]);
    await page.screenshot({ path: artifactPath('report-incomplete.png'), fullPage: true });
  }, 60_000);
});

describe('the JUnit report of a real drill', () => {
  it('parses as XML with one passing test case per objective and per step, plus the run and its cleanup', () => {
    const xml = readFileSync(join(out, 'report.junit.xml'), 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => n === 'testcase', htmlEntities: true }).parse(xml);
    const cases = doc.testsuites.testsuite.testcase as Array<{ name: string; classname: string; failure?: unknown; error?: unknown; 'system-out'?: string }>;
    expect(cases.map((c) => c.name)).toEqual(['drill completes', 'RTO ≤ 5s', 'RPO ≤ 1s', ...drill.steps.map((s) => s.id), 'cleanup']);
    expect(cases.filter((c) => c.failure !== undefined || c.error !== undefined)).toEqual([]);
    expect(cases.find((c) => c.name === 'RTO ≤ 5s')!['system-out']).toBe(`RTO met: measured ${formatDuration(drill.measurements.rtoMs!)}, objective 5s, margin ${formatDuration(drill.verdicts[0]!.marginMs!)}`);
    expect(doc.testsuites).toMatchObject({ tests: String(cases.length), failures: '0', errors: '0' });
  });
});

describe('the Prometheus report', () => {
  it('of a real drill passes promtool check metrics and carries the measured figures', () => {
    const text = readFileSync(join(out, 'report.prom'), 'utf8');
    expect(promtoolCheck(text, scratch)).toEqual({ code: 0, output: '' });
    const labels = `{runbook="local-postgres-failover",mode="drill"}`;
    const value = (name: string) => Number(new RegExp(`^${name}${labels.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('lifeboat_rto_seconds')).toBeCloseTo(drill.measurements.rtoMs! / 1000, 6);
    expect(value('lifeboat_rpo_seconds')).toBeCloseTo(drill.measurements.rpoMs! / 1000, 6);
    expect(value('lifeboat_lost_writes')).toBe(drill.measurements.lostWrites);
    expect(value('lifeboat_objectives_met')).toBe(1);
    expect(value('lifeboat_last_success_timestamp_seconds')).toBeCloseTo(drill.finishedAt / 1000, 3);
  });

  it.each([
    ['a missed objective with a failed step', sampleRunResult()],
    ['a split brain with lost writes and hostile labels', splitBrainRunResult()],
    ['an interrupted run', incompleteRunResult()],
    ['a met drill with a last success', metRunResult()],
    ['a runbook name that needs escaping', { ...metRunResult(), runbook: 'a"b\\c\nd' }],
  ])('of %s passes promtool check metrics', (_what, r) => {
    expect(promtoolCheck(renderPrometheusReport(r, { lastSuccessAt: Date.UTC(2026, 0, 1) }), scratch)).toEqual({ code: 0, output: '' });
  });

  it('is checked for real: promtool refuses a metric in milliseconds', () => {
    expect(promtoolCheck('# HELP x_milliseconds x\n# TYPE x_milliseconds gauge\nx_milliseconds 1\n', scratch).code).not.toBe(0);
  });
});
