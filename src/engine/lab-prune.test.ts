import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LabDriver, LabState } from '../lab/types.js';
import { createRegistry } from '../providers/registry.js';
import { Journal, readJournal, type JournalEntry } from './journal.js';
import { abandonedLabOf, findAbandonedLabs, pruneAbandonedLab } from './lab-prune.js';
import { runLockPath } from './run-lock.js';

const made: string[] = [];
const stateDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'lifeboat-prune-'));
  made.push(d);
  return d;
};
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

const DEAD = 4_000_001;
const LIVE = 4_000_002;
const alive = (pid: number) => pid === LIVE;
const LAB: LabState = { driver: 'process', root: '/tmp/lifeboat-lab-x', services: { primary: { name: 'primary', kind: 'postgres', host: '127.0.0.1', port: 5433, dataDir: '/tmp/lifeboat-lab-x/primary' } } };
const header: JournalEntry = { type: 'header', runId: 'r1', file: 'orders.yaml', text: 'name: orders\napiVersion: lifeboat/v1\n', mode: 'drill', startedAt: 1 };
const attempt = (pid: number, n = 1): JournalEntry => ({ type: 'attempt', attempt: n, pid, t: 2 });
const lab: JournalEntry = { type: 'lab', state: LAB };

function writeRun(dir: string, runId: string, entries: JournalEntry[]): string {
  const path = join(dir, 'runs', runId, 'journal.jsonl');
  const j = new Journal(path);
  for (const e of entries) j.append(e, true);
  j.close();
  return path;
}

/** A registry whose only lab driver records what it was asked to prune. */
function registryPruning(pruned: LabState[]) {
  const driver: LabDriver = {
    name: 'process',
    start: async () => {
      throw new Error('not in this test');
    },
    adopt: () => {
      throw new Error('not in this test');
    },
    prune: async (state) => {
      pruned.push(state);
    },
  };
  return createRegistry([], [{ name: 'process', description: 'fake', capabilities: [], load: async () => driver }]);
}

describe('which runs are abandoned with a lab', () => {
  it('is a run with a lab, no finished entry, and a dead last attempt', () => {
    expect(abandonedLabOf('r1', 'j', [header, attempt(DEAD), lab], alive)).toStrictEqual({ runId: 'r1', journal: 'j', pid: DEAD, lab: LAB, runbook: 'orders' });
  });

  it('is not a run that finished, one whose last attempt lives (a resume), one without a lab, or one not started yet', () => {
    expect(abandonedLabOf('r1', 'j', [header, attempt(DEAD), lab, { type: 'finished', t: 3, status: 'failed' }], alive)).toBeUndefined();
    expect(abandonedLabOf('r1', 'j', [header, attempt(DEAD), lab, attempt(LIVE, 2)], alive)).toBeUndefined();
    expect(abandonedLabOf('r1', 'j', [header, attempt(DEAD)], alive)).toBeUndefined();
    expect(abandonedLabOf('r1', 'j', [header], alive)).toBeUndefined();
  });

  it('uses the last lab state journaled, and the last attempt', () => {
    const later: LabState = { ...LAB, services: {} };
    expect(abandonedLabOf('r1', 'j', [header, attempt(LIVE), lab, attempt(DEAD, 2), { type: 'lab', state: later }], alive)).toMatchObject({ pid: DEAD, lab: later });
  });

  it('finds them in a state directory, oldest first, and nothing in an empty one', () => {
    const dir = stateDir();
    expect(findAbandonedLabs(dir, alive)).toStrictEqual({ labs: [], problems: [] });
    writeRun(dir, '20260102-000000-bbbbbb', [header, attempt(DEAD), lab]);
    writeRun(dir, '20260101-000000-aaaaaa', [header, attempt(DEAD), lab]);
    writeRun(dir, '20260103-000000-cccccc', [header, attempt(LIVE), lab]);
    mkdirSync(join(dir, 'runs', 'no-journal'));
    expect(findAbandonedLabs(dir, alive).labs.map((l) => l.runId)).toStrictEqual(['20260101-000000-aaaaaa', '20260102-000000-bbbbbb']);
  });
});

describe('pruning an abandoned lab', () => {
  it('prunes through its driver, marks the journal finished with the note, and removes the lock that names the run', async () => {
    const dir = stateDir();
    const path = writeRun(dir, 'r1', [header, attempt(DEAD), lab]);
    const lock = runLockPath(dir, 'orders');
    mkdirSync(join(dir, 'locks'));
    writeFileSync(lock, JSON.stringify({ pid: DEAD, runId: 'r1' }));
    const pruned: LabState[] = [];
    const [run] = findAbandonedLabs(dir, alive).labs;
    const outcome = await pruneAbandonedLab(run!, { stateDir: dir, registry: registryPruning(pruned), note: 'pruned by test', alive });
    expect(outcome).toStrictEqual({ pruned: true, lockRemoved: lock });
    expect(pruned).toStrictEqual([LAB]);
    expect(existsSync(lock)).toBe(false);
    expect(readJournal(path).at(-1)).toMatchObject({ type: 'finished', status: 'aborted', note: 'pruned by test' });
    expect(findAbandonedLabs(dir, alive).labs).toStrictEqual([]);
  });

  it('leaves a run alone while a live process holds its lock (it is being resumed)', async () => {
    const dir = stateDir();
    const path = writeRun(dir, 'r1', [header, attempt(DEAD), lab]);
    mkdirSync(join(dir, 'locks'));
    // Another process (this one's parent stands in for a `lifeboat resume`).
    writeFileSync(runLockPath(dir, 'orders'), JSON.stringify({ pid: process.ppid, runId: 'r1' }));
    const pruned: LabState[] = [];
    const [run] = findAbandonedLabs(dir, alive).labs;
    const outcome = await pruneAbandonedLab(run!, { stateDir: dir, registry: registryPruning(pruned), note: 'x', alive });
    expect(outcome).toStrictEqual({ pruned: false, reason: `run r1 is being resumed (pid ${process.ppid})` });
    expect(pruned).toStrictEqual([]);
    expect(readJournal(path).some((e) => e.type === 'finished')).toBe(false);
  });

  it('prunes the lab but keeps the lock of another live run of the same runbook', async () => {
    const dir = stateDir();
    writeRun(dir, 'r1', [header, attempt(DEAD), lab]);
    mkdirSync(join(dir, 'locks'));
    const lock = runLockPath(dir, 'orders');
    writeFileSync(lock, JSON.stringify({ pid: process.pid, runId: 'r2' }));
    const pruned: LabState[] = [];
    const [run] = findAbandonedLabs(dir, alive).labs;
    expect(await pruneAbandonedLab(run!, { stateDir: dir, registry: registryPruning(pruned), note: 'x', alive })).toStrictEqual({ pruned: true });
    expect(pruned).toHaveLength(1);
    expect(JSON.parse(readFileSync(lock, 'utf8'))).toMatchObject({ runId: 'r2' });
  });

  it('refuses a lab whose driver this version does not have, and changes nothing', async () => {
    const dir = stateDir();
    const path = writeRun(dir, 'r1', [header, attempt(DEAD), { type: 'lab', state: { ...LAB, driver: 'docker' } }]);
    const [run] = findAbandonedLabs(dir, alive).labs;
    await expect(pruneAbandonedLab(run!, { stateDir: dir, registry: registryPruning([]), note: 'x', alive })).rejects.toThrow(
      'cannot prune the lab of run r1: lab driver "docker" is not available in this version',
    );
    expect(readJournal(path).some((e) => e.type === 'finished')).toBe(false);
  });
});
