import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidRunbookError, formatProblem } from '../src/errors.js';
import { defaultRegistry } from '../src/cli/default-registry.js';
import { parseRunbook } from '../src/runbook/load.js';

const ROOT = resolve(import.meta.dirname, '..');
const EXAMPLE = 'runbooks/local-postgres-failover.yaml';
const MANY_MISTAKES = 'test/fixtures/many-mistakes.yaml';
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI from source (no build needed), in the repository root. */
function lifeboat(...args: string[]): Promise<Result> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, LIFEBOAT_DEBUG: '', LIFEBOAT_HOME: scratch },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** Lines of a stack trace, which users must never see for their own mistakes. */
const stackLines = (text: string) => text.split('\n').filter((l) => /^\s+at /.test(l));

const scratch = mkdtempSync(join(tmpdir(), 'lifeboat-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The problems the loader finds in a file, as validate must print them. */
function expectedProblemLines(file: string): string[] {
  try {
    parseRunbook(readFileSync(join(ROOT, file), 'utf8'), file, defaultRegistry());
  } catch (err) {
    if (err instanceof InvalidRunbookError) return err.problems.map(formatProblem);
    throw err;
  }
  throw new Error(`${file} is valid`);
}

// Each test spawns its own process; they run five at a time (vitest's maxConcurrency).
describe.concurrent('lifeboat', () => {
  it('lists its commands in --help and exits 0', async () => {
    const r = await lifeboat('--help');
    expect(r.code).toBe(0);
    for (const command of ['validate', 'plan', 'schema', 'drill', 'resume', 'history']) expect(r.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('prints the package version for --version', async () => {
    const r = await lifeboat('--version');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it('prints usage and exits 2 when given no command', async () => {
    const r = await lifeboat();
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Usage: lifeboat');
  });

  it.each([
    ['an unknown option', ['validate', '--frobnicate', EXAMPLE], "unknown option '--frobnicate'"],
    ['an unknown command', ['frobnicate'], "unknown command 'frobnicate'"],
    ['a missing argument', ['plan'], "missing required argument 'runbook'"],
    ['an invalid --mode', ['plan', EXAMPLE, '--mode', 'chaos'], "argument 'chaos' is invalid"],
  ])('exits 2 without a stack trace for %s', async (_, args, message) => {
    const r = await lifeboat(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('(run lifeboat --help for usage)');
    expect(stackLines(r.stderr)).toEqual([]);
  });
});

describe.concurrent('lifeboat validate', () => {
  it('exits 0 for every example runbook', async () => {
    const r = await lifeboat('validate', EXAMPLE);
    expect(r).toEqual({ code: 0, stdout: `${EXAMPLE}: valid\n`, stderr: '' });
  });

  it('prints every problem of a runbook with many mistakes as file:line:col: path: message, and exits 2', async () => {
    const r = await lifeboat('validate', MANY_MISTAKES);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toEqual(expectedProblemLines(MANY_MISTAKES));
    expect(lines).toHaveLength(15);
    expect(lines).toContain('test/fixtures/many-mistakes.yaml:22:118: failover[1].retry.maximumInterval: must not be shorter than initialInterval');
    expect(stackLines(r.stderr)).toEqual([]);
  });

  it('reports each file, valid or not, as JSON with --json', async () => {
    const r = await lifeboat('validate', '--json', EXAMPLE, MANY_MISTAKES);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as { valid: boolean; files: Array<{ file: string; valid: boolean; problems: Array<Record<string, unknown>> }> };
    expect(out.valid).toBe(false);
    expect(out.files.map((f) => [f.file, f.valid, f.problems.length])).toEqual([
      [EXAMPLE, true, 0],
      [MANY_MISTAKES, false, 15],
    ]);
    expect(out.files[1]!.problems[0]).toEqual({ file: MANY_MISTAKES, line: 5, column: 8, path: 'objectives.rto', message: 'must be greater than zero' });
    for (const p of out.files[1]!.problems) expect(Object.keys(p).sort()).toEqual(['column', 'file', 'line', 'message', 'path']);
  });

  it('says valid: true in JSON when every file is valid', async () => {
    const r = await lifeboat('validate', '--json', EXAMPLE);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ valid: true, files: [{ file: EXAMPLE, valid: true, problems: [] }] });
  });

  describe('files that are not runbooks', () => {
    const file = (name: string, content: string | Buffer) => {
      const path = join(scratch, name);
      writeFileSync(path, content);
      return path;
    };

    it.each([
      ['a missing file', () => join(scratch, 'nope.yaml'), ':1:1: (root): cannot read: no such file'],
      ['a directory', () => scratch, ':1:1: (root): is a directory, not a runbook file'],
      ['an empty file', () => file('empty.yaml', ''), ':1:1: (root): file is empty'],
      ['binary garbage', () => file('garbage.yaml', Buffer.from([0x00, 0xff, 0x13, 0x37, 0x00, 0x0a, 0xc3])), ':1:1: (root): not a text file (contains NUL bytes)'],
      ['a YAML syntax error', () => file('syntax.yaml', 'apiVersion: lifeboat/v1\nkind: Runbook\nname: [unclosed\nobjectives: {}\n'), ':4:1: (root): Flow sequence'],
      ['a top-level list', () => file('list.yaml', '- a\n- b\n'), ':1:1: (root): a runbook must be a mapping'],
    ])('exits 2 with one line and no stack trace for %s', async (_, path, message) => {
      const target = path();
      const r = await lifeboat('validate', target);
      expect(r.code).toBe(2);
      expect(r.stderr.startsWith(`${target}${message}`)).toBe(true);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(stackLines(r.stderr)).toEqual([]);
    });
  });
});

describe.concurrent('lifeboat plan', () => {
  type Plan = { runbook: string; mode: string; phases: Array<{ phase: string; steps: Array<Record<string, unknown>> }> };

  it('prints the steps in execution order as JSON, each saying whether it mutates', async () => {
    const r = await lifeboat('plan', EXAMPLE, '--json');
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as Plan;
    expect(plan).toMatchObject({ runbook: 'local-postgres-failover', mode: 'drill', objectives: { rtoMs: 5000, rpoMs: 1000 } });
    expect(plan.phases.map((p) => p.phase)).toEqual(['fault', 'failover', 'failback']);
    const steps = plan.phases.flatMap((p) => p.steps);
    expect(steps.map((s) => [s.id, s.action, s.target, s.timeoutMs, s.maxAttempts])).toEqual([
      ['kill-primary', 'lab.kill', 'primary', 300_000, 1],
      ['promote', 'postgres.promote', 'replica', 30_000, 3],
      ['rejoin-old-primary', 'postgres.rejoin', 'primary', 120_000, 1],
    ]);
    for (const s of steps) expect(typeof s.mutating, String(s.id)).toBe('boolean');
    expect(steps.every((s) => s.mutating === true)).toBe(true);
  });

  it('prints the plan for people, phase by phase, marking what mutates', async () => {
    const r = await lifeboat('plan', EXAMPLE);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('Plan for local-postgres-failover (drill)');
    const phaseAt = (name: string) => lines.indexOf(`${name}:`);
    expect(phaseAt('fault')).toBeGreaterThan(0);
    expect(phaseAt('failover')).toBeGreaterThan(phaseAt('fault'));
    expect(phaseAt('failback')).toBeGreaterThan(phaseAt('failover'));
    expect(lines[phaseAt('fault') + 1]).toBe('  1. kill-primary: lab.kill → primary  [MUTATES, timeout 5m00s]');
    expect(lines[phaseAt('failover') + 1]).toBe('  2. promote: postgres.promote → replica  [MUTATES, timeout 30s, 3 attempts]');
    expect(lines[phaseAt('failback') + 1]).toBe('  3. rejoin-old-primary: postgres.rejoin → primary  [MUTATES, timeout 2m00s]');
  });

  it('plans only the failover phase with --mode failover', async () => {
    const json = await lifeboat('plan', EXAMPLE, '--mode', 'failover', '--json');
    expect(json.code).toBe(0);
    const plan = JSON.parse(json.stdout) as Plan;
    expect(plan.mode).toBe('failover');
    expect(plan.phases.map((p) => [p.phase, p.steps.map((s) => s.id)])).toEqual([['failover', ['promote']]]);
    expect(plan).not.toHaveProperty('lab');

    const text = await lifeboat('plan', EXAMPLE, '--mode', 'failover');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('(failover)');
    expect(text.stdout).toContain('  1. promote: postgres.promote');
    expect(text.stdout).not.toMatch(/^(fault|failback):/m);
  });

  it('exits 2 with the problems of an invalid runbook, printing no plan', async () => {
    const r = await lifeboat('plan', MANY_MISTAKES, '--json');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual(expectedProblemLines(MANY_MISTAKES));
    expect(stackLines(r.stderr)).toEqual([]);
  });
});

describe.concurrent('lifeboat schema', () => {
  it('prints the committed JSON Schema', async () => {
    const r = await lifeboat('schema');
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as Record<string, any>;
    expect(schema.title).toBe('Lifeboat runbook or backup policy');
    expect(Object.keys(schema.$defs.Runbook.properties)).toEqual(expect.arrayContaining(['apiVersion', 'objectives', 'fault', 'failover', 'failback']));
    expect(Object.keys(schema.$defs.BackupPolicy.properties)).toEqual(expect.arrayContaining(['kind', 'resource', 'primary', 'sources', 'rules']));
    expect(r.stdout).toBe(readFileSync(join(ROOT, 'schema/runbook.schema.json'), 'utf8'));
  });
});
