import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defaultRegistry } from '../src/cli/default-registry.js';
import { runDrill } from '../src/engine/run-drill.js';
import { createRegistry } from '../src/providers/registry.js';
import type { ActionDef, Provider } from '../src/providers/types.js';
import { loadRunbook } from '../src/runbook/load.js';
import { dockerObjectsOf, labLeftovers, labStateOf } from './support/lab-leftovers.js';
import { query } from './support/pg-lab-helpers.js';
import { journalOf, reportOf, runCli, startCli, tempStateDir } from './support/run-cli.js';
import { startCliInTerminal } from './support/run-in-terminal.js';
import { waitForRunStep } from './support/wait-for-step.js';

const FAILOVER = 'runbooks/docker-postgres-failover.yaml';
const PARTITION = 'runbooks/docker-postgres-partition.yaml';

/** A copy of a runbook with some text replaced (a failing step, a missing image). */
function variant(file: string, replace: (text: string) => string): string {
  const out = join(mkdtempSync(join(tmpdir(), 'lifeboat-docker-')), 'runbook.yaml');
  writeFileSync(out, replace(readFileSync(file, 'utf8')));
  return out;
}

describe('split brain by network partition (Docker lab)', () => {
  it('reports split brain and exactly the writes the cut-off primary took, and misses a tight RPO', async () => {
    // A test-only failback step, before the heal, reads the markers from both containers itself.
    const seen: Record<string, Set<string>> = {};
    const capture: ActionDef<Record<string, never>> = {
      name: 'test.read-markers',
      description: 'test: read the markers of this run from a lab service',
      phases: ['failback'],
      target: 'required',
      targetTypes: ['lab.postgres'],
      params: z.object({}),
      mutates: false,
      async run(ctx) {
        const cfg = ctx.lab!.service(String(ctx.target!.spec.service)).connection();
        const rows = await query<{ writer: string; seq: string }>(cfg, 'select writer, seq from lifeboat_markers where run_id = $1', [ctx.runId]);
        seen[ctx.target!.name] = new Set(rows.map((x) => `${x.writer}:${Number(x.seq)}`));
        return { count: rows.length };
      },
    };
    const registry = createRegistry([...defaultRegistry().providers, { name: 'test', resourceTypes: [], actions: [capture], probes: [] } satisfies Provider], defaultRegistry().labDrivers);
    const loaded = await loadRunbook(PARTITION, registry);
    loaded.runbook.failback.unshift(
      { id: 'read-replica', action: 'test.read-markers', target: 'replica', onFailure: 'abort' },
      { id: 'read-primary', action: 'test.read-markers', target: 'primary', onFailure: 'abort' },
    );
    const stateDir = tempStateDir();
    const result = await runDrill({ loaded, registry, stateDir, log: pino({ level: 'silent' }) });
    expect(result.status, result.error).toBe('completed');
    expect(result.verdict).toBe('missed');
    expect(result.measurements.splitBrain).toHaveLength(2);
    expect(result.measurements.markersReadFrom).toBe('replica');

    const acked = new Set(result.timeline.filter((e) => e.kind === 'write-ack').map((e) => (e.kind === 'write-ack' ? `${e.writer}:${e.seq}` : '')));
    const lost = [...acked].filter((k) => !seen.replica!.has(k));
    expect(lost.length).toBeGreaterThan(0);
    // Every lost write is on the old primary: it took them after the cut, and the replica never got them.
    expect(lost.filter((k) => !seen.primary!.has(k))).toEqual([]);
    expect(result.measurements.lostWrites).toBe(lost.length);
    expect(result.measurements.acknowledgedWrites).toBe(acked.size);
    expect(result.verdicts.find((v) => v.objective === 'rpo')).toMatchObject({ met: false });
    expect(dockerObjectsOf(result.runId)).toEqual([]);
  }, 120_000);
});

describe('the Docker lab leaves nothing behind', () => {
  it('after a failing step: exit 3, failback and teardown ran', async () => {
    const file = variant(FAILOVER, (t) => t.replace('failover:\n', 'failover:\n  - { id: boom, action: exec, command: [sh, -c, "exit 7"] }\n'));
    const state = tempStateDir();
    const r = await runCli(['--state-dir', state, 'drill', file]);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    const { runId, path } = journalOf(state)!;
    expect(reportOf(state, runId).steps.find((s: { id: string }) => s.id === 'boom').status).toBe('failed');
    expect(labLeftovers(path)).toEqual([]);
  }, 120_000);

  it('after SIGINT mid-failover: exit 3, aborted, nothing left', async () => {
    const file = variant(FAILOVER, (t) => t.replace('failover:\n', 'failover:\n  - { id: hold, action: wait, duration: 5s }\n'));
    const state = tempStateDir();
    const run = startCli(['--state-dir', state, 'drill', file]);
    const { runId, path } = await waitForRunStep(run, state, 'hold');
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(reportOf(state, runId).status).toBe('aborted');
    expect(labLeftovers(path)).toEqual([]);
  }, 120_000);

  it('after its terminal is closed mid-failover (SIGHUP, EIO): exit 3, aborted, failback ran, nothing left', async () => {
    const file = variant(FAILOVER, (t) => t.replace('failover:\n', 'failover:\n  - { id: hold, action: wait, duration: 5s }\n'));
    const state = tempStateDir();
    const run = startCliInTerminal(['--state-dir', state, 'drill', file]);
    const deadline = Date.now() + 90_000;
    while (!run.output().includes('▶ failover/hold')) {
      if (run.wrapper.exitCode !== null || Date.now() > deadline) throw new Error(`failover/hold not seen in the terminal: ${run.output()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    run.hangup();
    const r = await run.done;
    expect(r, r.wrapperStderr).toEqual(expect.objectContaining({ code: 3 }));
    const { runId, path } = journalOf(state)!;
    const report = reportOf(state, runId);
    expect(report.status).toBe('aborted');
    expect(report.steps.find((s: { id: string }) => s.id === 'rejoin-old-primary').status).toBe('succeeded');
    expect(labLeftovers(path)).toEqual([]);
  }, 120_000);

  it('after kill -9 of Lifeboat: the containers stay, and `lab prune` removes them by label', async () => {
    const file = variant(FAILOVER, (t) => t.replace('failover:\n', 'failover:\n  - { id: hold, action: wait, duration: 30s }\n'));
    const state = tempStateDir();
    const run = startCli(['--state-dir', state, 'drill', file]);
    const { path } = await waitForRunStep(run, state, 'hold');
    run.child.kill('SIGKILL');
    await run.done;
    const { runId } = labStateOf(path)!;
    expect(dockerObjectsOf(runId!).length).toBeGreaterThanOrEqual(4); // two containers, two networks
    const prune = await runCli(['--state-dir', state, 'lab', 'prune']);
    expect(prune.code, prune.stdout + prune.stderr).toBe(0);
    expect(dockerObjectsOf(runId!)).toEqual([]);
  }, 120_000);
});

describe('a Docker lab that cannot start', () => {
  it('exits 3 and says how to build the image when it is missing', async () => {
    const file = variant(FAILOVER, (t) => t.replace('image: lifeboat/postgres-lab:15', 'image: lifeboat/no-such-image:0'));
    const state = tempStateDir();
    const r = await runCli(['--state-dir', state, 'drill', file]);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toMatch(/the lab image lifeboat\/no-such-image:0 is not in the Docker engine; build it with `npm run docker:build`/);
  }, 60_000);
});
