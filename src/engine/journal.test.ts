import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InfrastructureError } from '../errors.js';
import { Journal, readJournal, type JournalWrite } from './journal.js';

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

describe('Journal files and storage faults', () => {
  it('creates its directory 0700 and its file 0600, and tightens an older journal', () => {
    const path = tmp();
    const j = new Journal(join(path, '..', 'run', 'journal.jsonl'));
    j.append(event(1), true);
    j.close();
    expect(statSync(join(path, '..', 'run')).mode & 0o777).toBe(0o700);
    expect(statSync(join(path, '..', 'run', 'journal.jsonl')).mode & 0o777).toBe(0o600);
    writeFileSync(path, '', { mode: 0o644 });
    new Journal(path).close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('on a full disk reports once from its background flushes, throws a named fault on a durable append, and loses nothing once space returns', async () => {
    const path = tmp();
    let full = false;
    let short = true;
    const write: JournalWrite = (fd, data) => {
      if (full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      // The disk fills in the middle of a write: only part of it is taken.
      if (short) {
        short = false;
        full = true;
        return writeSync(fd, data, 0, 10);
      }
      return writeSync(fd, data);
    };
    const j = new Journal(path, 5, write);
    const reported: unknown[] = [];
    j.onError = (err) => reported.push(err);
    for (let i = 1; i <= 10; i++) {
      j.append(event(i));
      await new Promise((r) => setTimeout(r, 15));
    }
    expect(reported).toHaveLength(1);
    expect(reported[0]).toBeInstanceOf(InfrastructureError);
    expect((reported[0] as Error).message).toBe(`cannot write the journal ${path}: no space left on device (ENOSPC)`);
    expect(() => j.append(event(11), true)).toThrow(`cannot write the journal ${path}: no space left on device (ENOSPC)`);

    full = false;
    j.append(event(12), true);
    // A fault after the journal wrote again is a new fault: reported again.
    full = true;
    j.append(event(13));
    await new Promise((r) => setTimeout(r, 20));
    expect(reported).toHaveLength(2);
    full = false;
    j.close();
    expect(readJournal(path).map((e) => (e.type === 'event' ? e.event.t : -1))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  });
});
