import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { nextOccurrence, parseSchedule } from '../runbook/schedule.js';
import { crontabEntries, cronJobName, k8sEntries, onCalendar, systemdEntries } from './schedule-entries.js';

const settings = { command: ['/usr/bin/node', '/opt/lifeboat/dist/cli/main.js'], stateDir: '/var/lib/lifeboat', image: 'lifeboat/lifeboat:0.1.0' };
const orders = { name: 'orders-db', schedule: 'quarterly', file: '/srv/runbooks/orders.yaml' };

/** The next `n` instants of a cron expression after `base`, by croner (what `status` uses). */
function cronerRuns(cron: string, base: string, n: number): string[] {
  const runs: string[] = [];
  let t = new Date(base);
  for (let i = 0; i < n; i++) {
    t = nextOccurrence(parseSchedule(cron), t)!;
    runs.push(t.toISOString());
  }
  return runs;
}

/** The next `n` instants of a timer with these OnCalendar= values after `base`, by systemd itself. */
function systemdRuns(calendars: string[], base: string, n: number): string[] {
  const all = new Set<string>();
  for (const c of calendars) {
    const text = execFileSync('systemd-analyze', ['calendar', `--iterations=${n}`, `--base-time=${base.replace('T', ' ').replace('Z', ' UTC')}`, c], {
      encoding: 'utf8',
      env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' },
    });
    for (const m of text.matchAll(/(?:Next elapse|Iter\. #\d+): \w{3} (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) UTC/g)) all.add(`${m[1]!.replace(' ', 'T')}.000Z`);
  }
  return [...all].sort().slice(0, n);
}

describe('schedule entries', () => {
  it('writes one crontab line per runbook, in UTC, starting node on dist/cli/main.js directly', () => {
    const text = crontabEntries([orders, { name: 'billing', schedule: '30 6 * * 1', file: '/srv/run books/50%.yaml' }], settings);
    const lines = text.split('\n');
    expect(lines).toContain('CRON_TZ=UTC');
    expect(lines).toContain('0 3 1 1,4,7,10 * /usr/bin/node /opt/lifeboat/dist/cli/main.js --state-dir /var/lib/lifeboat drill /srv/runbooks/orders.yaml');
    // A space is quoted for sh; `%` would end the command for cron.
    expect(lines).toContain(`30 6 * * 1 /usr/bin/node /opt/lifeboat/dist/cli/main.js --state-dir /var/lib/lifeboat drill '/srv/run books/50\\%.yaml'`);
    expect(text).not.toMatch(/npx|npm /);
  });

  it('gives a timer the same instants as cron, across quarter and year boundaries, also when both day fields are restricted', () => {
    const cases = ['quarterly', 'monthly', 'weekly', 'yearly', '*/20 1-3 * * *', '0 3 1,15 * MON-FRI', '5 4 13 * 5', '0 3 * 2-11/3 SUN,7', '0 0 29 2 *'];
    for (const schedule of cases) {
      const cron = parseSchedule(schedule).cron;
      const calendars = onCalendar(cron);
      for (const base of ['2026-12-30T12:00:00Z', '2027-03-31T23:59:00Z']) {
        expect({ schedule, runs: systemdRuns(calendars, base, 12) }).toStrictEqual({ schedule, runs: cronerRuns(cron, base, 12) });
      }
    }
    expect(onCalendar('0 3 1,15 * MON-FRI')).toStrictEqual(['*-*-01,15 03:00:00 UTC', 'Mon..Fri *-*-* 03:00:00 UTC']);
    expect(onCalendar('0 3 1 1,4,7,10 *')).toStrictEqual(['*-01,04,07,10-01 03:00:00 UTC']);
  });

  it('writes a oneshot service and its timer per runbook, which stop Lifeboat alone so it can clean up', () => {
    const text = systemdEntries([orders], settings);
    expect(text).toContain('# file: /etc/systemd/system/lifeboat-orders-db.service\n');
    expect(text).toContain('ExecStart=/usr/bin/node /opt/lifeboat/dist/cli/main.js --state-dir /var/lib/lifeboat drill /srv/runbooks/orders.yaml\n');
    expect(text).toContain('KillMode=mixed\n');
    expect(text).toContain('# file: /etc/systemd/system/lifeboat-orders-db.timer\n');
    expect(text).toContain('OnCalendar=*-01,04,07,10-01 03:00:00 UTC\nPersistent=true\nUnit=lifeboat-orders-db.service\n');
  });

  it('writes a CronJob per runbook that forbids overlapping runs and runs node as PID 1', () => {
    const docs = parseAllDocuments(k8sEntries([orders, { ...orders, name: 'Billing_DB.v2', schedule: '0 3 * * 1' }], settings)).map((d) => d.toJS());
    expect(docs).toHaveLength(2);
    const [first, second] = docs;
    expect(first).toMatchObject({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'lifeboat-orders-db' },
      spec: { schedule: '0 3 1 1,4,7,10 *', timeZone: 'Etc/UTC', concurrencyPolicy: 'Forbid', jobTemplate: { spec: { backoffLimit: 0 } } },
    });
    const container = first.spec.jobTemplate.spec.template.spec.containers[0];
    expect(container).toMatchObject({
      image: 'lifeboat/lifeboat:0.1.0',
      command: ['node', '/opt/lifeboat/dist/cli/main.js'],
      args: ['--state-dir', '/state', 'drill', '/runbooks/orders.yaml'],
    });
    expect(second.metadata.name).toBe('lifeboat-billing-db-v2');
    expect(cronJobName('x'.repeat(80))).toHaveLength(52);
  });
});
