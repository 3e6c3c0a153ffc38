import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { runDrill } from '../src/engine/run-drill.js';
import { loadRunbook } from '../src/runbook/load.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { livePidsMentioning } from './support/pg-lab-helpers.js';
import { labRootOf, tempStateDir } from './support/run-cli.js';
import { defaultRegistry } from '../src/cli/default-registry.js';

describe('a drill against a frozen primary', () => {
  it('sees hung checks time out, recovers on the promoted replica, and rebuilds the frozen primary', async () => {
    const loaded = await loadRunbook('test/fixtures/pause-primary.yaml', defaultRegistry());
    const stateDir = tempStateDir();
    const result = await runDrill({ loaded, registry: defaultRegistry(), stateDir, log: pino({ level: 'silent' }) });
    expect(result.status, result.error).toBe('completed');
    expect(result.verdict).toBe('met');
    const timedOut = result.timeline.filter((e) => e.kind === 'probe' && !e.ok && /timed out/.test(e.error ?? ''));
    expect(timedOut.length).toBeGreaterThan(0);
    // Bounds the test reads off the steps' own instants: the outage began once the freeze started,
    // and writes could not come back before the promotion began (the primary is frozen).
    const m = result.measurements;
    const step = (id: string) => result.steps.find((s) => s.id === id)!;
    expect(m.outageStartAt!).toBeGreaterThanOrEqual(step('freeze-primary').startedAt!);
    expect(m.outageStartAt!).toBeLessThanOrEqual(step('promote').endedAt!);
    expect(m.recoveredAt!).toBeGreaterThan(step('promote').startedAt!);
    expect(m.rtoMs).toBe(m.recoveredAt! - m.outageStartAt!);
    expect(result.steps.find((s) => s.id === 'rejoin')?.status).toBe('succeeded');
    const root = labRootOf(join(stateDir, 'runs', result.runId, 'journal.jsonl'))!;
    expect(livePidsMentioning(root)).toEqual([]);
    expect(existsSync(root)).toBe(false);
  }, 90_000);
});
