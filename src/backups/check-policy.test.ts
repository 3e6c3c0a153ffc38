import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkPolicy } from './check-policy.js';
import { BackupPolicySchema } from './policy-schema.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lifeboat-check-policy-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const aws = { get: async () => Promise.reject(new Error('no AWS in this test')) } as never;

describe('checking a policy', () => {
  it('with zero copies anywhere: only the primary counts, every copy rule fails, nothing breaks', async () => {
    const policy = BackupPolicySchema.parse({
      apiVersion: 'lifeboat/v1',
      kind: 'BackupPolicy',
      name: 'empty',
      resource: 'db',
      primary: { location: 'site-a' },
      sources: [{ type: 'local', paths: ['none-yet'] }],
      rules: { maxAge: '1d' },
    });
    const r = await checkPolicy({ file: join(dir, 'p.yaml'), policy }, { aws, at: Date.now() });
    expect(r).toMatchObject({ copies: 1, offsite: 0, immutable: 0, compliant: false, sourceErrors: [], notes: ['sources[0] (local none-yet): none-yet: does not exist (no copies there)'] });
    expect(r.rules.filter((x) => !x.passed).map((x) => x.rule)).toEqual(['copies', 'media', 'offsite', 'immutable', 'maxAge']);
    expect(r.newest).toBeUndefined();
  });

  it('names a source that fails and still reads the others; the check is not compliant', async () => {
    mkdirSync(join(dir, 'ok'));
    writeFileSync(join(dir, 'ok', 'a.dump'), 'a');
    writeFileSync(join(dir, 'file'), 'x');
    const policy = BackupPolicySchema.parse({
      apiVersion: 'lifeboat/v1',
      kind: 'BackupPolicy',
      name: 'p',
      resource: 'db',
      primary: { location: 'site-a' },
      sources: [{ type: 'local', paths: ['file/below'] }, { type: 'local', paths: ['ok'] }],
      rules: { copies: 2, media: 1, offsite: 0, immutable: 0 },
    });
    const r = await checkPolicy({ file: join(dir, 'p.yaml'), policy }, { aws, at: Date.now() });
    expect(r.sourceErrors).toEqual([{ source: 'sources[0] (local file/below)', error: `local source: cannot read ${join(dir, 'file/below')}: not a directory` }]);
    expect(r.copies).toBe(2);
    expect(r.rules.every((x) => x.passed)).toBe(true);
    expect(r.compliant).toBe(false);
  });
});
