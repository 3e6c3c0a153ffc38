import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDirs } from './make-dir.js';

const made: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'lifeboat-mkdir-'));
  made.push(d);
  return d;
};
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

const codeOf = (fn: () => void) => {
  try {
    fn();
  } catch (err) {
    return (err as NodeJS.ErrnoException).code;
  }
  return 'no error';
};

describe('makeDirs', () => {
  it('creates every missing directory with the mode', () => {
    const root = tmp();
    makeDirs(join(root, 'a', 'b'), 0o700);
    expect(statSync(join(root, 'a')).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, 'a', 'b')).mode & 0o777).toBe(0o700);
    makeDirs(join(root, 'a', 'b'), 0o700);
  });

  it('fails with ENOTDIR, not ENOENT or EEXIST, when a regular file is in the way', () => {
    const root = tmp();
    writeFileSync(join(root, 'file'), '');
    expect(codeOf(() => makeDirs(join(root, 'file', 'state', 'runs')))).toBe('ENOTDIR');
    expect(codeOf(() => makeDirs(join(root, 'file')))).toBe('ENOTDIR');
  });
});
