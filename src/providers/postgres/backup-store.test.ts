import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backupName, LocalBackupStore, newestBackup, parseBackupName } from './backup-store.js';

describe('backup names', () => {
  it('round-trip the start time, run, step and method', () => {
    const at = Date.parse('2026-11-29T20:15:00.123Z');
    const name = backupName(at, '20261129-201500-abcdef', 'take.backup-1', 'basebackup');
    expect(name).toBe('20261129T201500123Z_20261129-201500-abcdef_take.backup-1.tar.gz');
    expect(parseBackupName(name)).toEqual({ name, takenAt: at, method: 'basebackup', runId: '20261129-201500-abcdef', stepId: 'take.backup-1' });
    expect(parseBackupName(backupName(at, 'r', 's', 'dump'))?.method).toBe('dump');
  });

  it('ignore files of other shapes', () => {
    for (const n of ['notes.txt', '.20261129T201500123Z_r_s.dump.partial', '20261129T201500123Z_r_s.zip', '20261399T999999999Z_r_s.dump']) expect(parseBackupName(n)).toBeUndefined();
  });

  it('pick the newest by start time, whatever the order or the run', () => {
    const a = parseBackupName(backupName(1000, 'zzz', 's', 'dump'))!;
    const b = parseBackupName(backupName(3000, 'aaa', 's', 'basebackup'))!;
    const c = parseBackupName(backupName(2000, 'mmm', 's', 'dump'))!;
    expect(newestBackup([a, b, c])).toBe(b);
    expect(newestBackup([])).toBeUndefined();
  });
});

describe('LocalBackupStore', () => {
  it('shows a backup only once it is committed, and lists only backups', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lifeboat-store-'));
    const store = new LocalBackupStore(root, 'primary');
    const signal = new AbortController().signal;
    expect(await store.list(signal)).toEqual([]);
    const name = backupName(Date.now(), 'run', 'step', 'dump');
    const pending = await store.begin(name);
    writeFileSync(pending.file, 'abc');
    writeFileSync(join(store.location, 'README'), 'not a backup');
    expect(await store.list(signal)).toEqual([]);
    expect(await pending.commit(signal)).toEqual({ bytes: 3 });
    expect((await store.list(signal)).map((e) => [e.name, e.bytes])).toEqual([[name, 3]]);
    const dropped = await store.begin(backupName(Date.now(), 'run', 'other', 'dump'));
    writeFileSync(dropped.file, 'x');
    await dropped.discard();
    expect(readdirSync(store.location).sort()).toEqual([name, 'README'].sort());
  });
});
