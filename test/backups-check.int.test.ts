import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/open-store.js';
import { sampleResult } from '../src/store/testing/history-store.suite.js';
import { ROOT, runCli, tempStateDir } from './support/run-cli.js';
import { startS3rver } from './support/s3rver-server.js';

const SECRET = 'wJalrXUtnFEMI-backups-secret-K7MDENG';
const AWS_ENV = { AWS_ACCESS_KEY_ID: 'AKIABACKUPSTEST', AWS_SECRET_ACCESS_KEY: SECRET, AWS_REGION: 'eu-west-1' };
const NOW = Date.now();
const HOUR = 3_600_000;
let dir: string;
let s3rver: Awaited<ReturnType<typeof startS3rver>>;

function policy(name: string, rules: string, extraSources = ''): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `apiVersion: lifeboat/v1
kind: BackupPolicy
name: ${name}
resource: orders-db
primary: { location: site-a, medium: disk }
sources:
  - type: local
    paths: [site-a]
  - type: local
    paths: [site-b]
    location: site-b
    medium: tape
${extraSources}rules:
${rules}
`,
  );
  return file;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lifeboat-backups-cli-'));
  for (const [site, ages] of [['site-a', [2, 26]], ['site-b', [3]]] as const) {
    mkdirSync(join(dir, site));
    for (const h of ages) {
      const f = join(dir, site, `orders-${h}h.dump`);
      writeFileSync(f, `dump ${h}`);
      utimesSync(f, (NOW - h * HOUR) / 1000, (NOW - h * HOUR) / 1000);
    }
  }
  s3rver = await startS3rver(['present']);
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await s3rver?.stop();
});

// Several CLI processes per test, each a cold start of tsx: slow on a loaded machine.
describe('lifeboat backups check', { timeout: 120_000 }, () => {
  it('exits 0 for a compliant policy, stores the check, and writes Prometheus metrics that promtool accepts', async () => {
    const file = policy('compliant', '  copies: 4\n  media: 2\n  offsite: 1\n  immutable: 0\n  maxAge: 3h');
    const stateDir = tempStateDir();
    const prom = join(dir, 'metrics', 'lifeboat.prom');
    mkdirSync(join(dir, 'metrics'));
    const r = await runCli(['--state-dir', stateDir, 'backups', 'check', file, '--prom', prom], AWS_ENV);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('orders-db (policy compliant');
    expect(r.stdout).toMatch(/pass {2}copies +4 copies found \(the primary \+ 3: .*\); need 4/);
    expect(r.stdout).toMatch(/pass {2}maxAge +newest copy .*orders-2h\.dump .* is 2h\d\dm old; must be younger than 3h/);
    const text = readFileSync(prom, 'utf8');
    // promtool is required (Debian's prometheus package, installed by .ci/run): a missing one fails here.
    execFileSync('promtool', ['check', 'metrics'], { input: text });
    expect(text).toContain('lifeboat_backup_copies{policy="compliant",resource="orders-db"} 4\n');
    expect(text).toContain('lifeboat_backup_media{policy="compliant",resource="orders-db"} 2\n');
    expect(text).toContain('lifeboat_backup_offsite_copies{policy="compliant",resource="orders-db"} 1\n');
    expect(text).toContain('lifeboat_backup_rule_compliant{policy="compliant",resource="orders-db",rule="maxAge"} 1\n');
    expect(text).toContain('lifeboat_backup_compliant{policy="compliant",resource="orders-db"} 1\n');
    const age = Number(/lifeboat_backup_newest_age_seconds\{[^}]*\} (\S+)/.exec(text)![1]);
    expect(age).toBeGreaterThanOrEqual(2 * 3600);
    // At most as much older as time has passed since the files were stamped (truth: the mtimes this test set).
    expect(age).toBeLessThanOrEqual(2 * 3600 + (Date.now() - NOW) / 1000);
    // Written through a temporary file and a rename: nothing else is left in the directory.
    expect(readdirSync(join(dir, 'metrics'))).toEqual(['lifeboat.prom']);
    await using store = await openStore({ stateDir, readOnly: true });
    const [check] = await store.backupChecks();
    expect(check).toMatchObject({ policy: 'compliant', resource: 'orders-db', compliant: true });
  });

  it('exits 1 for a non-compliant policy, naming the failing rule and why, in text and JSON', async () => {
    const file = policy('too-few', '  copies: 5\n  immutable: 0\n  maxAge: 1h');
    const stateDir = tempStateDir();
    const r = await runCli(['--state-dir', stateDir, 'backups', 'check', file], AWS_ENV);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('NOT COMPLIANT');
    expect(r.stdout).toMatch(/FAIL {2}copies +4 copies found .*; need 5/);
    expect(r.stdout).toMatch(/FAIL {2}maxAge +newest copy .* is 2h\d\dm old; must be younger than 1h/);
    expect(r.stdout).toMatch(/pass {2}offsite/);
    const j = await runCli(['--state-dir', stateDir, 'backups', 'check', file, '--json'], AWS_ENV);
    expect(j.code).toBe(1);
    const out = JSON.parse(j.stdout);
    expect(out.compliant).toBe(false);
    expect(out.results[0].rules.filter((x: { passed: boolean }) => !x.passed).map((x: { rule: string }) => x.rule)).toEqual(['copies', 'maxAge']);
  });

  it('judges as of --at: a copy made up to 5 minutes after it counts with age 0 (clocks differ), a later one does not exist yet', async () => {
    const file = policy('as-of', '  copies: 3\n  media: 1\n  offsite: 0\n  immutable: 0\n  maxAge: 1m');
    // 2h04m before the files were stamped: the 2h copy is 4 minutes "in the future"; the 3h and 26h copies exist.
    const at = new Date(NOW - 2 * HOUR - 4 * 60_000).toISOString();
    const r = await runCli(['--state-dir', tempStateDir(), 'backups', 'check', file, '--at', at, '--json'], AWS_ENV);
    const [result] = JSON.parse(r.stdout).results;
    expect(result.copies).toBe(4);
    expect(result.newest.ageMs).toBe(0);
    expect(result.notes).toContain('1 copy was created up to 5m00s after the check time: clocks differ; counted with age 0');
    expect(r.code).toBe(0);
    const earlier = await runCli(['--state-dir', tempStateDir(), 'backups', 'check', file, '--at', new Date(NOW - 2 * HOUR - 10 * 60_000).toISOString(), '--json'], AWS_ENV);
    const [before] = JSON.parse(earlier.stdout).results;
    expect(before.copies).toBe(3);
    expect(before.notes).toContain(`1 copy was created more than 5m after the check time ${new Date(NOW - 2 * HOUR - 10 * 60_000).toISOString()}: not counted`);
  });

  it('exits 3 naming the source that could not be read, and leaks no credential', async () => {
    const file = policy('broken', '  copies: 1', `  - type: aws.s3\n    bucket: missing-bucket\n    region: eu-west-1\n    endpoint: ${s3rver.endpoint}\n`);
    const stateDir = tempStateDir();
    // s3rver accepts only its own key pair; the session token stands for a secret that must not leak.
    const r = await runCli(['--state-dir', stateDir, 'backups', 'check', file], { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_SESSION_TOKEN: SECRET });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^lifeboat: policy broken: sources\[2\] \(aws\.s3 s3:\/\/missing-bucket\/\) could not be read: backups source aws\.s3 s3:\/\/missing-bucket\/: s3 \w+ failed: NoSuchBucket/m);
    expect(r.stdout).toContain('INCOMPLETE');
    const history = readFileSync(join(stateDir, 'history.db'));
    for (const text of [r.stdout, r.stderr, history.toString('latin1')]) expect(text).not.toContain(SECRET);
  });

  it('exits 2 for an invalid policy with file:line:col, and refuses a bad --at', async () => {
    const file = join(dir, 'invalid.yaml');
    writeFileSync(file, 'apiVersion: lifeboat/v1\nkind: BackupPolicy\nname: x\nresource: db\nprimary: { location: a }\nsources:\n  - type: local\n    path: [x]\n');
    const r = await runCli(['--state-dir', tempStateDir(), 'backups', 'check', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:8:5: sources[0].path:`);
    const v = await runCli(['validate', file]);
    expect(v.code).toBe(2);
    expect(v.stderr).toContain(`${file}:8:5: sources[0].path:`);
    const missing = policy('missing-restore', '  copies: 1\n  restoreRunbook: nowhere.yaml');
    const m = await runCli(['--state-dir', tempStateDir(), 'backups', 'check', missing]);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain(`${missing}:15:19: rules.restoreRunbook: nowhere.yaml: cannot read: no such file`);
    const at = await runCli(['--state-dir', tempStateDir(), 'backups', 'check', policy('ok', '  copies: 1'), '--at', 'yesterday']);
    expect(at.code).toBe(2);
    expect(at.stderr).toContain('--at must be an ISO 8601 time');
  });

  it('reads restore drills of restoreRunbook from the history: a failed one fails maxFailedRestores; its RPO is the default maxAge', async () => {
    const runbook = readFileSync(join(ROOT, 'runbooks/local-postgres-failover.yaml'), 'utf8').replace('name: local-postgres-failover', 'name: orders-restore').replace('rpo: 1s', 'rpo: 1d');
    writeFileSync(join(dir, 'restore.yaml'), runbook);
    const file = policy('restores', '  copies: 1\n  media: 1\n  offsite: 0\n  immutable: 0\n  restoreRunbook: restore.yaml\n  restoreTestedWithin: 7d');
    const stateDir = tempStateDir();
    {
      await using store = await openStore({ stateDir });
      await store.finish(sampleResult({ runId: 'good', runbook: 'orders-restore', startedAt: NOW - 3 * HOUR, finishedAt: NOW - 2 * HOUR }));
      await store.finish(sampleResult({ runId: 'bad', runbook: 'orders-restore', verdict: 'missed', startedAt: NOW - HOUR, finishedAt: NOW - HOUR / 2 }));
      await store.finish(sampleResult({ runId: 'other', runbook: 'someone-else', verdict: 'missed', startedAt: NOW - HOUR, finishedAt: NOW - HOUR / 2 }));
    }
    const r = await runCli(['--state-dir', stateDir, 'backups', 'check', file], AWS_ENV);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/pass {2}maxAge +.*must be younger than 1d \(the restoreRunbook RPO\)/);
    expect(r.stdout).toMatch(/pass {2}restoreTestedWithin +last successful restore drill of orders-restore \(run good\)/);
    expect(r.stdout).toMatch(/FAIL {2}maxFailedRestores +1 failed restore drill of orders-restore in the last 7d \(bad\); at most 0/);
    const e = await runCli(['backups', 'explain', file]);
    expect(e.code).toBe(0);
    expect(e.stdout).toContain('the newest copy is younger than 1d (the RPO of orders-restore)');
  });

  it('validates policies and runbooks alike, and refuses a runbook that still holds backups:', async () => {
    const v = await runCli(['validate', 'runbooks/local-backup-policy.yaml', 'runbooks/aws-backup-policy.yaml', 'runbooks/local-postgres-failover.yaml']);
    expect(v.code).toBe(0);
    const old = join(dir, 'old-runbook.yaml');
    writeFileSync(old, `${readFileSync(join(ROOT, 'runbooks/local-postgres-failover.yaml'), 'utf8')}\nbackups:\n  - name: nightly\n`);
    const r = await runCli(['validate', old]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('backups: backup policies are no longer part of a runbook: move them to a file of kind: BackupPolicy');
  });

  it('checks the example local policy on a fresh clone: real files, verified checksums, exit 0', async () => {
    const r = await runCli(['--state-dir', tempStateDir(), 'backups', 'check', 'runbooks/local-backup-policy.yaml', '--json']);
    expect(r.code).toBe(0);
    const [result] = JSON.parse(r.stdout).results;
    expect(result).toMatchObject({ copies: 5, offsite: 2, compliant: true, notes: [] });
  });
});
