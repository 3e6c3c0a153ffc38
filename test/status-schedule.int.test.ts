import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/open-store.js';
import { sampleResult } from '../src/store/testing/history-store.suite.js';
import { ROOT, runCli, tempStateDir } from './support/run-cli.js';

/** A valid runbook named `name`, with `schedule` when given. */
function runbook(name: string, schedule?: string): string {
  return [
    'apiVersion: lifeboat/v1',
    'kind: Runbook',
    `name: ${name}`,
    ...(schedule ? [`schedule: "${schedule}"`] : []),
    'objectives: { rto: 30s }',
    'resources: { db: { type: tcp, port: 5432 } }',
    'probes: { up: { type: tcp, target: db } }',
    'recovery: { all: [up] }',
    'fault: [ { id: hold, action: wait, duration: 1s } ]',
    'failover: []',
    'failback: []',
    '',
  ].join('\n');
}

const Q4_DRILL = Date.parse('2026-10-01T03:00:05Z');

describe('lifeboat status', () => {
  let dir: string;
  let state: string;

  beforeAll(async () => {
    dir = join(tempStateDir(), 'runbooks');
    state = tempStateDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'orders.yaml'), runbook('orders', 'quarterly'));
    writeFileSync(join(dir, 'adhoc.yaml'), runbook('adhoc'));
    // Another kind of document in the same folder is left alone.
    writeFileSync(join(dir, 'orders-backups.yaml'), 'apiVersion: lifeboat/v1\nkind: BackupPolicy\nname: orders-backups\nresource: orders\n');
    writeFileSync(join(dir, 'notes.txt'), 'not a runbook');
    const store = await openStore({ stateDir: state });
    // The last completed drill counts; a failed drill and a failover after it do not.
    await store.finish(sampleResult({ runId: 'q3', runbook: 'orders', startedAt: Date.parse('2026-07-01T03:00:00Z'), finishedAt: Date.parse('2026-07-01T03:05:00Z') }));
    await store.finish(sampleResult({ runId: 'q4', runbook: 'orders', verdict: 'missed', startedAt: Q4_DRILL, finishedAt: Q4_DRILL + 60_000 }));
    await store.finish(sampleResult({ runId: 'q4-retry', runbook: 'orders', status: 'failed', verdict: 'incomplete', startedAt: Q4_DRILL + 3_600_000, finishedAt: Q4_DRILL + 3_700_000 }));
    await store.finish(sampleResult({ runId: 'incident', runbook: 'orders', mode: 'failover', startedAt: Date.parse('2026-12-30T10:00:00Z'), finishedAt: Date.parse('2026-12-30T10:05:00Z') }));
    await store.close();
  });

  it('is 0 before the next quarter starts and 1 once it has begun undrilled, with the figures in JSON', async () => {
    const before = await runCli(['--state-dir', state, 'status', dir, '--at', '2026-12-31T23:59:59Z', '--json']);
    expect(before.code).toBe(0);
    const report = JSON.parse(before.stdout);
    expect(report).toMatchObject({ at: '2026-12-31T23:59:59.000Z', overdue: false, invalid: [], skipped: [{ file: join(dir, 'orders-backups.yaml'), kind: 'BackupPolicy' }] });
    expect(report.runbooks).toStrictEqual([
      { runbook: 'adhoc', file: join(dir, 'adhoc.yaml'), schedule: null, lastDrill: null, nextDue: null, overdue: false, overdueByMs: null, state: 'unscheduled' },
      {
        runbook: 'orders',
        file: join(dir, 'orders.yaml'),
        schedule: 'quarterly',
        lastDrill: { runId: 'q4', startedAt: new Date(Q4_DRILL).toISOString(), finishedAt: new Date(Q4_DRILL + 60_000).toISOString(), verdict: 'missed' },
        nextDue: '2027-01-01T03:00:00.000Z',
        overdue: false,
        overdueByMs: null,
        state: 'ok',
      },
    ]);

    const after = await runCli(['--state-dir', state, 'status', dir, '--at', '2027-01-02T03:00:00Z']);
    expect(after.code).toBe(1);
    expect(after.stdout).toContain('orders  quarterly  last drill 2026-10-01 03:00 UTC MISSED  OVERDUE since 2027-01-01 03:00 UTC (1d late)');
    expect(after.stdout).toContain('adhoc  —  never drilled  unscheduled');
    // A grace period covers it.
    expect((await runCli(['--state-dir', state, 'status', dir, '--at', '2027-01-02T03:00:00Z', '--grace', '2d'])).code).toBe(0);
  });

  it('calls a scheduled runbook never drilled overdue, and lists an invalid one with its position, exit 2', async () => {
    const more = join(tempStateDir(), 'more');
    mkdirSync(more);
    writeFileSync(join(more, 'billing.yaml'), runbook('billing', 'monthly'));
    writeFileSync(join(more, 'broken.yaml'), runbook('broken', '99 * * * *'));
    const r = await runCli(['--state-dir', state, 'status', more, '--at', '2027-01-01T00:00:00Z']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('billing  monthly  never drilled  OVERDUE (never drilled)');
    expect(r.stderr).toContain(`${join(more, 'broken.yaml')}:4:11: schedule: not a valid cron expression "99 * * * *": Invalid value for minute: 99`);
    writeFileSync(join(more, 'broken.yaml'), runbook('broken', '0 3 * * *'));
    expect((await runCli(['--state-dir', state, 'status', more, '--at', '2027-01-01T00:00:00Z'])).code).toBe(1);
  });

  it('refuses a bad --at or a missing directory with exit 2', async () => {
    const bad = await runCli(['--state-dir', state, 'status', dir, '--at', 'next tuesday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--at must be an ISO 8601 date or instant');
    const missing = await runCli(['--state-dir', state, 'status', join(dir, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read the runbook directory');
  });
});

describe('lifeboat schedule', () => {
  it('prints a crontab line per scheduled runbook that starts node on dist/cli/main.js, and nothing when a runbook is invalid', async () => {
    const dir = join(tempStateDir(), 'runbooks');
    mkdirSync(dir);
    writeFileSync(join(dir, 'orders.yaml'), runbook('orders', 'quarterly'));
    writeFileSync(join(dir, 'adhoc.yaml'), runbook('adhoc'));
    const r = await runCli(['--state-dir', '/var/lib/lifeboat', 'schedule', dir, '--format', 'crontab']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`\n0 3 1 1,4,7,10 * ${process.execPath} ${join(ROOT, 'dist/cli/main.js')} --state-dir /var/lib/lifeboat drill ${join(dir, 'orders.yaml')}\n`);
    expect(r.stdout).not.toContain('adhoc.yaml');
    expect(r.stderr).toContain('adhoc.yaml: no schedule; not scheduled');

    const k8s = await runCli(['schedule', dir, '--format', 'k8s', '--image', 'registry.example.com/lifeboat:1.2.3']);
    expect(k8s.code).toBe(0);
    expect(k8s.stdout).toContain('image: registry.example.com/lifeboat:1.2.3');
    expect(k8s.stdout).toContain('concurrencyPolicy: Forbid');

    writeFileSync(join(dir, 'broken.yaml'), runbook('broken', '0 3 * *'));
    const bad = await runCli(['schedule', dir, '--format', 'systemd']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('broken.yaml:4:11: schedule: expected hourly, daily, weekly, monthly, quarterly, yearly or a 5-field cron expression');
    expect((await runCli(['schedule', dir, '--format', 'cron'])).code).toBe(2);
    expect((await runCli(['schedule', dir, '--format', 'crontab', '--command', 'npx lifeboat'])).code).toBe(2);
  });
});
