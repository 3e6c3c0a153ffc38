import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sampleRunResult } from '../src/report/testing/sample-run-result.js';
import { openStore } from '../src/store/open-store.js';
import { ROOT, tempStateDir } from './support/run-cli.js';

/** The packages a CLI command loads, as reported by the preload hook. */
function packagesLoadedBy(args: string[]): string[] {
  const r = spawnSync(process.execPath, ['--import', join(ROOT, 'test/support/report-loaded-modules.mjs'), '--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const line = /LOADED-PACKAGES (.*)/.exec(r.stderr);
  if (!line) throw new Error(`no module report: ${r.stderr}`);
  return JSON.parse(line[1]!) as string[];
}

const HEAVY = ['pg', 'better-sqlite3'];
const isHeavy = (p: string) => HEAVY.includes(p) || p.startsWith('@aws-sdk/') || p.startsWith('@smithy/');

describe('commands load only what they use', () => {
  it.each([['validate'], ['plan']])('%s of the quick-start runbook loads no PostgreSQL client, SQLite or cloud SDK', (command) => {
    const loaded = packagesLoadedBy([command, 'runbooks/local-postgres-failover.yaml']);
    // yaml is CommonJS too: the report sees the packages a command does load.
    expect(loaded).toContain('yaml');
    expect(loaded.filter(isHeavy)).toEqual([]);
  }, 30_000);

  it('backups explain of the AWS example policy loads no PostgreSQL client, SQLite or cloud SDK (it calls nothing)', () => {
    const loaded = packagesLoadedBy(['backups', 'explain', 'runbooks/aws-backup-policy.yaml']);
    expect(loaded).toContain('yaml');
    expect(loaded.filter(isHeavy)).toEqual([]);
  }, 30_000);

  it.each([['validate'], ['plan'], ['iam-policy']])('%s of an AWS runbook loads no cloud SDK', (command) => {
    const loaded = packagesLoadedBy([command, 'runbooks/aws-rds-cross-region.yaml']);
    expect(loaded).toContain('yaml');
    expect(loaded.filter(isHeavy)).toEqual([]);
  }, 30_000);

  it('backups check of the local example policy loads no cloud SDK (only the history store)', () => {
    const loaded = packagesLoadedBy(['--state-dir', tempStateDir(), 'backups', 'check', 'runbooks/local-backup-policy.yaml']);
    expect(loaded).toContain('better-sqlite3');
    expect(loaded.filter((p) => p.startsWith('@aws-sdk/') || p.startsWith('@smithy/') || p === 'pg')).toEqual([]);
  }, 30_000);

  it('schema loads no PostgreSQL client, SQLite or cloud SDK', () => {
    expect(packagesLoadedBy(['schema']).filter(isHeavy)).toEqual([]);
  }, 30_000);

  it.each([['html'], ['prom']])('report --format %s of a stored run loads no PostgreSQL client or cloud SDK', async (format) => {
    const state = tempStateDir();
    const store = await openStore({ stateDir: state });
    await store.finish(sampleRunResult());
    await store.close();
    const loaded = packagesLoadedBy(['--state-dir', state, 'report', sampleRunResult().runId, '--format', format]);
    expect(loaded).toContain('better-sqlite3');
    expect(loaded.filter((p) => p !== 'better-sqlite3' && isHeavy(p))).toEqual([]);
  }, 30_000);

  it('history of an existing store loads SQLite (the check above does see a native module when one is loaded)', async () => {
    const state = tempStateDir();
    await (await openStore({ stateDir: state })).close();
    expect(packagesLoadedBy(['--state-dir', state, 'history'])).toContain('better-sqlite3');
  }, 30_000);
});
