import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { livePidsMentioning } from './pg-lab-helpers.js';
import { journalEntries } from './run-cli.js';

/** The last lab state a run journaled. */
export function labStateOf(journalPath: string): { driver: string; root: string; runId?: string } | undefined {
  return journalEntries(journalPath).filter((e) => e.type === 'lab').at(-1)?.state;
}

/** Containers and networks (ids) the Docker engine still has for a run. */
export function dockerObjectsOf(runId: string): string[] {
  const q = (args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).split('\n').filter(Boolean);
  return [...q(['ps', '-aq', '--filter', `label=lifeboat.run-id=${runId}`]), ...q(['network', 'ls', '-q', '--filter', `label=lifeboat.run-id=${runId}`])];
}

/**
 * What is left of a run's lab: for a process lab, live processes mentioning its root and the root
 * itself; for a Docker lab, containers and networks labelled with the run. Empty when nothing is.
 */
export function labLeftovers(journalPath: string): string[] {
  const state = labStateOf(journalPath);
  if (!state) throw new Error(`no lab in ${journalPath}`);
  if (state.driver === 'docker') return dockerObjectsOf(state.runId!).map((id) => `docker object ${id}`);
  return [...livePidsMentioning(state.root).map((pid) => `process ${pid}`), ...(existsSync(state.root) ? [`directory ${state.root}`] : [])];
}
