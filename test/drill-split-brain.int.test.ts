import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { runDrill } from '../src/engine/run-drill.js';
import { loadRunbook } from '../src/runbook/load.js';
import { tempStateDir } from './support/run-cli.js';
import { defaultRegistry } from '../src/cli/default-registry.js';

describe('a failover that leaves the old primary accepting writes', () => {
  it('reports split brain, reads the markers from the promoted node, and counts the writes only the old primary took as lost', async () => {
    const loaded = await loadRunbook('test/fixtures/split-brain.yaml', defaultRegistry());
    const result = await runDrill({ loaded, registry: defaultRegistry(), stateDir: tempStateDir(), log: pino({ level: 'silent' }) });
    expect(result.status, result.error).toBe('completed');
    expect(result.measurements.splitBrain).toHaveLength(2);
    expect(result.measurements.markersReadFrom).toBe('replica');
    expect(result.timeline.some((e) => e.kind === 'mark' && e.name === 'split-brain')).toBe(true);
    const acksOnOldPrimaryAfterPromotion = result.timeline.filter((e) => {
      const promoted = result.steps.find((s) => s.id === 'promote')!.endedAt!;
      return e.kind === 'write-ack' && e.endpoint === 'primary' && e.t > promoted;
    });
    expect(acksOnOldPrimaryAfterPromotion.length).toBeGreaterThan(0);
    expect(result.measurements.lostWrites).toBeGreaterThanOrEqual(acksOnOldPrimaryAfterPromotion.length);
  }, 90_000);
});
