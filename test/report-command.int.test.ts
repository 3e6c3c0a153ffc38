import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { formatDuration } from '../src/util/duration.js';
import type { RunResult } from '../src/verify/run-result.js';
import { journalOf, runCli, startCli, tempStateDir } from './support/run-cli.js';
import { waitForRunStep } from './support/wait-for-step.js';

// Quick real drills (no lab: the "service" is down while a flag file exists, see the fixture):
// the RTO, about 0.5 s, misses its 100 ms objective (exit 1); the -met fixture is the same
// runbook with a 30 s objective (exit 0).
const MISSED = 'test/fixtures/exec-outage.yaml';
const MET = 'test/fixtures/exec-outage-met.yaml';
const FORMATS = { json: 'report.json', md: 'report.md', html: 'report.html', junit: 'report.junit.xml', prom: 'report.prom' } as const;

const flagDir = mkdtempSync(join(tmpdir(), 'lifeboat-flag-'));
let flagCount = 0;
/** The environment of one drill: its own flag file. */
const envOf = () => ({ LB_FLAG: join(flagDir, `flag-${++flagCount}`) });

const servers: Server[] = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((res) => s.close(res))));
});
afterAll(() => rmSync(flagDir, { recursive: true, force: true }));

/** A webhook on 127.0.0.1 recording the bodies it receives; `answer` decides the response (null: it never answers). */
async function webhook(answer: ((res: ServerResponse) => void) | null = (res) => res.writeHead(204).end()) {
  const received: Array<{ url: string; headers: IncomingMessage['headers']; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ url: req.url!, headers: req.headers, body });
      answer?.(res);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  servers.push(server);
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  return { received, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T0/B0/hook-token` };
}

async function closedPortUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((res) => s.listen(0, '127.0.0.1', res));
  const { port } = s.address() as AddressInfo;
  await new Promise((res) => s.close(res));
  return `http://127.0.0.1:${port}/services/T0/B0/hook-token`;
}

/** When the log says the notification was given up (epoch ms). */
function notifyWarningAt(logFile: string): number {
  const line = readFileSync(logFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { time: number; msg: string })
    .find((e) => e.msg.startsWith('could not notify'));
  if (!line) throw new Error(`no notification warning in ${logFile}`);
  return line.time;
}

const resultIn = (dir: string) => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as RunResult;
const withoutTimeline = ({ timeline: _t, ...rest }: RunResult) => rest;

describe('lifeboat report and --notify', () => {
  it('a drill posts its result to --notify when it ends, and report prints every format as --out wrote it', async () => {
    const hook = await webhook();
    const state = tempStateDir();
    const out = join(state, 'out');
    const r = await runCli(['--state-dir', state, 'drill', MISSED, '--out', out, '--notify', hook.url], envOf());
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const result = resultIn(out);
    expect(result.verdict).toBe('missed');

    // The webhook got the run's result (the timeline stays in the report and the history).
    expect(hook.received).toHaveLength(1);
    const body = JSON.parse(hook.received[0]!.body);
    expect(hook.received[0]!.headers['content-type']).toBe('application/json');
    expect(body.result).toEqual(withoutTimeline(result));
    expect(body.text).toContain('Lifeboat drill exec-outage: *MISSED*');
    expect(body.text).toContain(`run ${result.runId}`);
    expect(r.stderr).not.toContain('could not notify');

    const reports = await Promise.all(Object.keys(FORMATS).map((format) => runCli(['--state-dir', state, 'report', result.runId, '--format', format])));
    Object.values(FORMATS).forEach((file, i) => {
      expect(reports[i]!.code, `${file}: ${reports[i]!.stderr}`).toBe(0);
      expect(reports[i]!.stdout, file).toBe(readFileSync(join(out, file), 'utf8'));
    });
    expect((await runCli(['--state-dir', state, 'report', result.runId])).stdout).toBe(readFileSync(join(out, 'report.md'), 'utf8'));
    expect((await runCli(['--state-dir', state, 'report', result.runId, '--json'])).stdout).toBe(readFileSync(join(out, 'report.json'), 'utf8'));

    // The missed RTO of this real run is a failed test for CI.
    const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => n === 'testcase' }).parse(readFileSync(join(out, 'report.junit.xml'), 'utf8'));
    const rto = (junit.testsuites.testsuite.testcase as Array<{ name: string; failure?: { message: string } }>).find((c) => c.name === 'RTO ≤ 100ms')!;
    const v = result.verdicts.find((x) => x.objective === 'rto')!;
    expect(rto.failure!.message).toBe(`RTO missed: measured ${formatDuration(v.measuredMs!)}, objective 100ms, margin ${formatDuration(v.marginMs!)}`);

    // The runbook's markup is text in the HTML report.
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('Flag-file service &lt;script&gt;window.__lifeboatPwned = 1&lt;/script&gt;&lt;img src=&quot;http://127.0.0.1:9/pixel.png&quot;&gt;');
    expect(html).toContain('Create the flag &lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;');
    expect(html).not.toMatch(/<script|<img/i);
  }, 120_000);

  it('a webhook nobody listens on changes neither the exit code nor the result; the warning names the host only', async () => {
    const state = tempStateDir();
    const logFile = join(state, 'lifeboat.log');
    const r = await runCli(['--state-dir', state, '--log-file', logFile, 'drill', MISSED, '--notify', await closedPortUrl()], envOf());
    expect(r.code, r.stdout + r.stderr).toBe(1);
    // Refused at once: given up long before the 10 s default timeout (timed from the run's end,
    // so that a slow machine starting the CLI does not count).
    const result = resultIn(join(state, 'runs', journalOf(state)!.runId));
    expect(notifyWarningAt(logFile) - result.finishedAt).toBeLessThan(5_000);
    expect(r.stderr).toMatch(/lifeboat: warning: could not notify http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    expect(r.stderr).not.toContain('hook-token');
    expect(r.stdout).toContain('MISSED');
    expect(resultIn(join(state, 'runs', journalOf(state)!.runId)).verdict).toBe('missed');
  }, 120_000);

  it('a webhook that never answers is given up after --notify-timeout, and the run ends with its own exit code', async () => {
    const hook = await webhook(null);
    const state = tempStateDir();
    const logFile = join(state, 'lifeboat.log');
    const r = await runCli(['--state-dir', state, '--log-file', logFile, 'drill', MET, '--notify', hook.url, '--notify-timeout', '500ms'], envOf());
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(hook.received).toHaveLength(1);
    expect(r.stderr).toMatch(/lifeboat: warning: could not notify http:\/\/127\.0\.0\.1:\d+: no answer within 500ms/);
    // Given up after the 500 ms it was given, far below the 10 s default, counted from the run's end.
    const result = resultIn(join(state, 'runs', journalOf(state)!.runId));
    const waited = notifyWarningAt(logFile) - result.finishedAt;
    expect(waited).toBeGreaterThanOrEqual(490);
    expect(waited).toBeLessThan(5_000);
    // Logged too, with the webhook's path (its secret) masked.
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('no answer within 500ms');
    expect(log).not.toContain('hook-token');
  }, 120_000);

  it('resume --notify posts the result of the resumed run', async () => {
    const hook = await webhook();
    const state = tempStateDir();
    const env = envOf();
    const first = startCli(['--state-dir', state, 'drill', MET], env);
    const { runId } = await waitForRunStep(first, state, 'settle');
    first.child.kill('SIGKILL');
    await first.done;
    const r = await runCli(['--state-dir', state, 'resume', runId, '--notify', hook.url], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(hook.received).toHaveLength(1);
    const body = JSON.parse(hook.received[0]!.body);
    expect(body.result).toEqual(withoutTimeline(resultIn(join(state, 'runs', runId))));
    expect(body.result.attempts).toBe(2);
  }, 120_000);

  it('the Prometheus report gives the last success of the runbook from the history', async () => {
    const state = tempStateDir();
    const met = await runCli(['--state-dir', state, 'drill', MET], envOf());
    expect(met.code, met.stderr).toBe(0);
    const metRun = journalOf(state)!.runId;
    const metResult = resultIn(join(state, 'runs', metRun));
    const out = join(state, 'out');
    const missed = await runCli(['--state-dir', state, 'drill', MISSED, '--out', out], envOf());
    expect(missed.code, missed.stderr).toBe(1);
    const missedRun = resultIn(out).runId;
    const rep = await runCli(['--state-dir', state, 'report', missedRun, '--format', 'prom']);
    expect(rep.code, rep.stderr).toBe(0);
    const lastSuccess = Number(/^lifeboat_last_success_timestamp_seconds\{runbook="exec-outage",mode="drill"\} (\S+)$/m.exec(rep.stdout)?.[1]);
    // The history keeps instants to the millisecond.
    expect(lastSuccess).toBeCloseTo(Math.floor(metResult.finishedAt) / 1000, 3);
    expect(rep.stdout).toMatch(/^lifeboat_verdict\{runbook="exec-outage",mode="drill",verdict="missed"\} 1$/m);
    // The drill wrote the same into --out.
    expect(readFileSync(join(out, 'report.prom'), 'utf8')).toBe(rep.stdout);
  }, 120_000);

  it('refuses an unknown run, an unfinished run, a bad id or format, with exit 2 and a clear message', async () => {
    const state = tempStateDir();
    const unknown = await runCli(['--state-dir', state, 'report', '20990101-000000-abcdef', '--format', 'html']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(`lifeboat: no run 20990101-000000-abcdef in ${state} (see lifeboat history)\n`);
    expect(unknown.stdout).toBe('');

    // A run whose journal has no end: still going, or its process died.
    mkdirSync(join(state, 'runs', 'r-unfinished'), { recursive: true });
    writeFileSync(join(state, 'runs', 'r-unfinished', 'journal.jsonl'), `${JSON.stringify({ type: 'header', runId: 'r-unfinished', file: MET, text: '', mode: 'drill', startedAt: Date.now() })}\n`);
    const unfinished = await runCli(['--state-dir', state, 'report', 'r-unfinished']);
    expect(unfinished.code).toBe(2);
    expect(unfinished.stderr).toContain('run r-unfinished has not finished');
    expect(unfinished.stderr).toContain('lifeboat resume r-unfinished');

    const badId = await runCli(['--state-dir', state, 'report', '../etc']);
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain('not a run id: ../etc');
    const badFormat = await runCli(['--state-dir', state, 'report', 'r-unfinished', '--format', 'pdf']);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toContain("argument 'pdf' is invalid");
    const both = await runCli(['--state-dir', state, 'report', 'r-unfinished', '--json', '--format', 'md']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--json and --format md contradict each other');
  }, 120_000);

  it('refuses a --notify that is not an http(s) URL before anything runs', async () => {
    const state = tempStateDir();
    const r = await runCli(['--state-dir', state, 'drill', MET, '--notify', 'ftp://example.com/hook'], envOf());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--notify: expected an http or https URL, got ftp:');
    expect(existsSync(join(state, 'runs'))).toBe(false);
  }, 30_000);
});
