import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Journal, readJournal } from './journal.js';

const made: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'lifeboat-journal-'));
  made.push(d);
  return join(d, 'journal.jsonl');
};
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
const event = (n: number) => ({ type: 'event' as const, event: { t: n, kind: 'mark' as const, name: 'steady-state' as const } });

describe('Journal', () => {
  it('writes a durable entry, and everything buffered before it, before append returns', () => {
    const path = tmp();
    const j = new Journal(path, 10_000);
    j.append(event(1));
    expect(readFileSync(path, 'utf8')).toBe('');
    j.append(event(2), true);
    expect(readJournal(path).map((e) => (e.type === 'event' ? e.event.t : -1))).toEqual([1, 2]);
    j.close();
  });

  it('flushes batched entries after its flush interval', async () => {
    const path = tmp();
    const j = new Journal(path, 20);
    j.append(event(1));
    await new Promise((r) => setTimeout(r, 60));
    expect(readJournal(path)).toHaveLength(1);
    j.close();
  });

  it('ignores a torn last line left by a crash', () => {
    const path = tmp();
    const j = new Journal(path);
    j.append(event(1), true);
    j.close();
    appendFileSync(path, '{"type":"event","event":{"t":2,');
    expect(readJournal(path)).toHaveLength(1);
  });
});

describe('Journal after a crash', () => {
  it('ends a torn last line before appending, so the next entry is read back whole', () => {
    const path = tmp();
    const j = new Journal(path);
    j.append(event(1), true);
    j.close();
    appendFileSync(path, '{"type":"event","event":{"t":2,');
    const again = new Journal(path);
    again.append(event(3), true);
    again.close();
    expect(readJournal(path).map((e) => (e.type === 'event' ? e.event.t : -1))).toEqual([1, 3]);
  });
});
