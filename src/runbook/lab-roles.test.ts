import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { accepted, pathsAndMessages, positionOf, problemsIn } from './testing/problems.js';

const HOLD_WAL_DRILL = 'test/fixtures/hold-wal-drill.yaml';

/** The hold-wal drill fixture (a primary, its replica, hold-wal, kill, promote, rejoin) with one piece of text replaced. */
async function drill(from?: string, to?: string): Promise<string> {
  const text = await readFile(HOLD_WAL_DRILL, 'utf8');
  if (from === undefined) return text;
  if (!text.includes(from)) throw new Error(`"${from}" is not in ${HOLD_WAL_DRILL}`);
  return text.replace(from, to!);
}

describe('steps that need a lab service in a given role', () => {
  it('accepts the drill the other tests change', async () => {
    expect(accepted(await drill()).name).toBe('hold-wal-drill');
  });

  it('rejects rejoining a service to itself', async () => {
    const text = await drill('target: primary, source: replica', 'target: primary, source: primary');
    expect(problemsIn(text)).toEqual([
      { file: 'rb.yaml', ...positionOf(text, 'primary, timeout: 2m'), path: 'failback[0].source', message: 'cannot rejoin a service to itself' },
    ]);
  });

  it('rejects holding the WAL of a replica, naming the service it replicates from', async () => {
    const text = await drill('action: postgres.hold-wal, target: primary', 'action: postgres.hold-wal, target: replica');
    expect(problemsIn(text)).toEqual([
      {
        file: 'rb.yaml',
        ...positionOf(text, 'replica }\n  - { id: pile-up'),
        path: 'fault[0].target',
        message: "hold-wal holds a primary's WAL senders; replica is a replica of primary",
      },
    ]);
  });

  it('names the lab service, not the resource, of a replica whose WAL would be held', async () => {
    const text = await drill('  replica: { type: lab.postgres, service: replica }', '  replica: { type: lab.postgres, service: replica }\n  standby: { type: lab.postgres, service: replica }').then((t) =>
      t.replace('action: postgres.hold-wal, target: primary', 'action: postgres.hold-wal, target: standby'),
    );
    expect(pathsAndMessages(text)).toEqual([{ path: 'fault[0].target', message: "hold-wal holds a primary's WAL senders; replica is a replica of primary" }]);
  });

  it('accepts a settle of zero after holding the WAL', async () => {
    const text = await drill('action: postgres.hold-wal, target: primary }', 'action: postgres.hold-wal, target: primary, settle: 0ms }');
    expect(() => accepted(text)).not.toThrow();
  });

  it('accepts promoting a service that is already a primary (promotion is idempotent)', async () => {
    const text = await drill('action: postgres.promote, target: replica', 'action: postgres.promote, target: primary');
    expect(() => accepted(text)).not.toThrow();
  });

  it('reports the same problems in a runbook written as JSON', async () => {
    const { parse } = await import('yaml');
    const yaml = (await drill('target: primary, source: replica', 'target: primary, source: primary')).replace(
      'action: postgres.hold-wal, target: primary',
      'action: postgres.hold-wal, target: replica',
    );
    expect(pathsAndMessages(JSON.stringify(parse(yaml), null, 2), 'rb.json')).toEqual([
      { path: 'fault[0].target', message: "hold-wal holds a primary's WAL senders; replica is a replica of primary" },
      { path: 'failback[0].source', message: 'cannot rejoin a service to itself' },
    ]);
  });
});
