import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcessLab } from '../src/lab/process/process-lab.js';
import type { Lab } from '../src/lab/types.js';
import { journalEntries, journalOf, reportOf, runCli, tempStateDir } from './support/run-cli.js';

const RUNBOOK = 'test/fixtures/secrets-leak.yaml';
/** Given through ${env:LB_SECRET}. */
const SECRET = 'Env-Secret-Pass-8472';
/** Written in the runbook itself, in DSN and command-line forms. */
const LITERAL = 'Literal-Pass-31';

let lab: Lab;
const temps: string[] = [];
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
};
beforeAll(async () => {
  lab = await startProcessLab({ primary: { kind: 'postgres' } });
}, 60_000);
afterAll(async () => {
  await lab?.teardown();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

/** Every file under `dir`, with its mode. */
function filesUnder(dir: string): Array<{ path: string; mode: number; isDir: boolean }> {
  const out: Array<{ path: string; mode: number; isDir: boolean }> = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    out.push({ path, mode: st.mode & 0o777, isDir: st.isDirectory() });
    if (st.isDirectory()) out.push(...filesUnder(path));
  }
  return out;
}

/** The places where a secret was found: file paths, or the names of the texts given. */
function leaks(files: string[], texts: Record<string, string>): string[] {
  const found: string[] = [];
  for (const f of files) {
    const bytes = readFileSync(f);
    for (const s of [SECRET, LITERAL]) if (bytes.includes(s)) found.push(`${f} holds ${s}`);
  }
  for (const [name, text] of Object.entries(texts)) for (const s of [SECRET, LITERAL]) if (text.includes(s)) found.push(`${name} holds ${s}`);
  return found;
}

describe('secrets', () => {
  it('never writes a password from ${env:...} or a command line: not in the state directory, --out, the log file, stdout or stderr', async () => {
    const state = tempStateDir();
    const out = tempDir('lifeboat-out-');
    const logFile = join(tempDir('lifeboat-logs-'), 'lifeboat.log');
    const env = { LB_SECRET: SECRET, LB_PORT: String(lab.service('primary').port) };

    // Logs to a file, then (a second run of the same runbook) to stderr, both at debug level.
    const toFile = await runCli(['--state-dir', state, '--log-level', 'debug', '--log-file', logFile, 'drill', RUNBOOK, '--out', out], env);
    const toStderr = await runCli(['--state-dir', state, '--log-level', 'debug', 'drill', RUNBOOK, '--json'], env);
    const history = await runCli(['--state-dir', state, 'history', '--json']);

    // The drills ran the steps that would leak, and failed as the runbook says.
    expect(toFile.code, toFile.stdout + toFile.stderr).toBe(3);
    expect(toStderr.code, toStderr.stdout + toStderr.stderr).toBe(3);
    const runId = readdirSync(join(state, 'runs')).sort()[0]!;
    const report = reportOf(state, runId);
    const step = (id: string) => report.steps.find((s: { id: string }) => s.id === id);
    expect(step('echo-env')).toMatchObject({ status: 'succeeded', output: { stdout: expect.stringContaining('stdout -p*** -p *** --password=*** --password *** postgres:***@db ***') } });
    expect(step('echo-literal')).toMatchObject({ status: 'succeeded', output: { stdout: '-p*** -p *** --password=*** --password *** postgres:***@db\n' } });
    expect(step('select-secret')).toMatchObject({ status: 'succeeded', output: { rows: [{ pw: '***' }] } });
    expect(step('raise-secret')).toMatchObject({ status: 'failed', error: expect.stringContaining('bad password ***') });
    expect(step('fail-with-secret')).toMatchObject({ status: 'failed', error: expect.stringContaining('failing with *** -p ***') });
    expect(report.cleanupErrors.join()).toContain('failback');
    expect(toFile.stdout).toContain('failing with ***');
    expect(journalEntries(journalOf(state)!.path).find((e) => e.type === 'header')!.text).toContain('postgres://postgres:${env:LB_SECRET}@');
    expect(readFileSync(logFile, 'utf8')).toContain('"level":20');

    const files = [...filesUnder(state), ...filesUnder(out)].filter((f) => !f.isDir).map((f) => f.path);
    expect(files.some((f) => f.endsWith('history.db'))).toBe(true);
    expect(files.filter((f) => f.endsWith('report.json'))).toHaveLength(3);
    expect(
      leaks([...files, logFile], {
        'stdout (log file run)': toFile.stdout,
        'stderr (log file run)': toFile.stderr,
        'stdout (--json run)': toStderr.stdout,
        'stderr (--json run, debug logs)': toStderr.stderr,
        'history --json': history.stdout,
      }),
    ).toEqual([]);
  }, 120_000);

  it('keeps every file and directory of the state directory, --out and the log file to their owner', async () => {
    const state = tempStateDir();
    const out = join(tempDir('lifeboat-out-'), 'reports');
    const logFile = join(tempDir('lifeboat-logs-'), 'logs', 'lifeboat.log');
    const r = await runCli(['--state-dir', join(state, 'home'), '--log-file', logFile, 'drill', RUNBOOK, '--out', out], {
      LB_SECRET: SECRET,
      LB_PORT: String(lab.service('primary').port),
    });
    expect(r.code, r.stdout + r.stderr).toBe(3);
    const entries = [...filesUnder(join(state, 'home')), ...filesUnder(out), { path: join(state, 'home'), mode: statSync(join(state, 'home')).mode & 0o777, isDir: true }];
    expect(entries.filter((e) => e.isDir && e.mode !== 0o700)).toEqual([]);
    expect(entries.filter((e) => !e.isDir && e.mode !== 0o600)).toEqual([]);
    expect(entries.some((e) => e.path.endsWith('journal.jsonl'))).toBe(true);
    expect(entries.some((e) => e.path.endsWith('locks') && e.isDir)).toBe(true);
    expect(statSync(logFile).mode & 0o777).toBe(0o600);
  }, 120_000);
});
