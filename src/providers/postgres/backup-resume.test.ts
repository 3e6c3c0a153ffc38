import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createClock } from '../../timeline/clock.js';
import type { ActionContext } from '../types.js';
import { backupAction as backup } from './backup-actions.js';
import { backupName } from './backup-store.js';


function ctx(runId: string, stepId: string): ActionContext {
  return {
    runId,
    stepId,
    phase: 'fault',
    clock: createClock(),
    log: pino({ level: 'silent' }),
    signal: new AbortController().signal,
    target: { name: 'primary', type: 'lab.postgres', spec: { service: 'primary' } },
    outputs: {},
    resource: () => {
      throw new Error('not used');
    },
    resourceType: () => undefined,
    record: () => {},
  };
}

describe('postgres.backup on resume', () => {
  it('counts as done, with its output, when the backup of this run and step is in the set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifeboat-resume-'));
    mkdirSync(join(dir, 'primary'));
    const at = Date.parse('2026-11-29T20:00:00.000Z');
    const name = backupName(at, 'run-1', 'backup', 'basebackup');
    writeFileSync(join(dir, 'primary', name), 'x'.repeat(7));
    // Another run's backup and this run's half-written one do not count.
    writeFileSync(join(dir, 'primary', backupName(at + 1, 'run-0', 'backup', 'basebackup')), 'y');
    writeFileSync(join(dir, 'primary', `.${backupName(at + 2, 'run-2', 'backup', 'basebackup')}.partial`), 'z');
    const params = { method: 'basebackup', path: dir } as const;
    expect(await backup.isDone!(ctx('run-1', 'backup'), params)).toEqual({
      done: true,
      output: { backup: name, location: join(dir, 'primary'), method: 'basebackup', takenAt: '2026-11-29T20:00:00.000Z', bytes: 7, set: 'primary' },
    });
    expect(await backup.isDone!(ctx('run-2', 'backup'), params)).toBe(false);
    expect(await backup.isDone!(ctx('run-1', 'other-step'), params)).toBe(false);
  });
});
