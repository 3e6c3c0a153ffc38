import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll } from 'vitest';

export const ROOT = resolve(import.meta.dirname, '../..');

const stateDirs: string[] = [];
// Registered while the test file that imports this module is being collected: runs after its tests.
afterAll(() => {
  for (const d of stateDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh state directory (history, journals, reports) for one test; removed after the test file. */
export function tempStateDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'lifeboat-state-'));
  stateDirs.push(d, `${d}-2`);
  return d;
}

export interface CliRun {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  stdout(): string;
  stderr(): string;
}

/** Starts the CLI from source as one process (`node --import tsx`), so signals reach it directly. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((res) =>
    child.on('close', (code, signal) => res({ code, signal, stdout: out, stderr: err })),
  );
  return { child, done, stdout: () => out, stderr: () => err };
}

/** Runs the CLI to completion. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  return startCli(args, env).done;
}

/** The journal of the only run in a state directory, once it exists. */
export function journalOf(stateDir: string): { runId: string; path: string } | undefined {
  const runs = join(stateDir, 'runs');
  if (!existsSync(runs)) return undefined;
  const [runId] = readdirSync(runs);
  if (!runId) return undefined;
  const path = join(runs, runId, 'journal.jsonl');
  return existsSync(path) ? { runId, path } : undefined;
}

/** Parsed journal lines (a torn last line is skipped). */
export function journalEntries(path: string): Array<Record<string, any>> {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });
}

/** The lab root recorded in a journal (to look for leftovers). */
export function labRootOf(path: string): string | undefined {
  return journalEntries(path).find((e) => e.type === 'lab')?.state?.root;
}

/** The JSON report of a run. */
export function reportOf(stateDir: string, runId: string): any {
  return JSON.parse(readFileSync(join(stateDir, 'runs', runId, 'report.json'), 'utf8'));
}
