import { basename } from 'node:path';
import { CronPattern } from 'croner';
import { stringify } from 'yaml';
import { parseSchedule, SCHEDULE_TIMEZONE } from '../runbook/schedule.js';

/** The formats `lifeboat schedule` prints. */
export const SCHEDULE_FORMATS = ['crontab', 'systemd', 'k8s'] as const;
export type ScheduleFormat = (typeof SCHEDULE_FORMATS)[number];

/** A runbook to schedule: its name, schedule and the path the scheduled command reads it from. */
export interface ScheduledRunbook {
  name: string;
  schedule: string;
  /** Absolute path (crontab, systemd) of the runbook file. */
  file: string;
}

export interface ScheduleSettings {
  /** How Lifeboat is started, as argv (crontab, systemd): node and dist/cli/main.js, never npx. */
  command: string[];
  /** The state directory (absolute) given to every run (crontab, systemd). */
  stateDir: string;
  /** The container image (k8s). */
  image: string;
}

/** Quotes an argument for sh, only when needed. */
function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_/.,:=@+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Crontab lines: `%` means newline to cron, so it is escaped. */
export function crontabEntries(runbooks: ScheduledRunbook[], s: ScheduleSettings): string {
  const lines = [
    '# Lifeboat drills, from `lifeboat schedule --format crontab`. Schedules are in UTC: cronie honours',
    "# CRON_TZ below; Debian's cron does not and uses the system time zone (run it in UTC).",
    '# Exit 1 (objectives missed) and 3 (could not complete) are failures: cron mails any output.',
    `CRON_TZ=${SCHEDULE_TIMEZONE}`,
  ];
  for (const r of runbooks) {
    const argv = [...s.command, '--state-dir', s.stateDir, 'drill', r.file];
    lines.push(`# ${r.name} (${r.schedule})`, `${parseSchedule(r.schedule).cron} ${argv.map(shellQuote).join(' ').replace(/%/g, '\\%')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A unit name for a runbook: systemd allows letters, digits and `:-_.\` in names. */
export function unitName(runbook: string): string {
  return `lifeboat-${runbook.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

/** Quotes an ExecStart= argument for systemd (`%` is a specifier, so it is doubled). */
function systemdQuote(arg: string): string {
  const escaped = arg.replace(/%/g, '%%');
  return /^[A-Za-z0-9_/.,:=@+-]+$/.test(escaped) ? escaped : `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The values set in a croner field array (index + offset), compressed into `a..b` runs, or `*` when all are set. */
function calendarList(flags: ArrayLike<number>, offset: number, pad: number, names?: string[]): string {
  const values: number[] = [];
  for (let i = 0; i < flags.length; i++) if (flags[i]) values.push(i + offset);
  if (values.length === flags.length) return '*';
  const show = (v: number) => names?.[v] ?? String(v).padStart(pad, '0');
  const runs: string[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j]! + 1) j++;
    runs.push(j - i >= 2 ? `${show(values[i]!)}..${show(values[j]!)}` : values.slice(i, j + 1).map(show).join(','));
    i = j + 1;
  }
  return runs.join(',');
}

/**
 * `OnCalendar=` values for a cron expression. Cron fires when the day of month **or** the day of
 * week matches if both are restricted; an `OnCalendar=` expression requires both. Such a rule
 * becomes two expressions (one per day field), which a timer fires on either of — the same
 * instants as cron.
 */
export function onCalendar(cron: string): string[] {
  const p = new CronPattern(cron, SCHEDULE_TIMEZONE, { mode: '5-part' });
  const fields = cron.split(/\s+/);
  // Sunday may be 0 or 7 in cron; croner's array may carry both: fold 7 onto 0.
  const dow = Array.from({ length: 7 }, (_, i) => (p.dayOfWeek[i] || (i === 0 && p.dayOfWeek[7]) ? 1 : 0));
  const minutes = calendarList(p.minute, 0, 2);
  const hours = calendarList(p.hour, 0, 2);
  const days = calendarList(p.day, 1, 2);
  const months = calendarList(p.month, 1, 2);
  const weekdays = calendarList(dow, 0, 0, WEEKDAYS);
  const at = (weekday: string, day: string) => `${weekday === '*' ? '' : `${weekday} `}*-${months}-${day} ${hours}:${minutes}:00 ${SCHEDULE_TIMEZONE}`;
  const domStar = fields[2] === '*';
  const dowStar = fields[4] === '*';
  if (domStar || dowStar) return [at(weekdays, days)];
  return [at('*', days), at(weekdays, '*')];
}

/** systemd service and timer units, each preceded by a `# file:` line naming where it goes. */
export function systemdEntries(runbooks: ScheduledRunbook[], s: ScheduleSettings): string {
  const parts: string[] = [];
  for (const r of runbooks) {
    const unit = unitName(r.name);
    const argv = [...s.command, '--state-dir', s.stateDir, 'drill', r.file];
    parts.push(
      [
        `# file: /etc/systemd/system/${unit}.service`,
        '[Unit]',
        `Description=Lifeboat drill ${r.name}`,
        'Wants=network-online.target',
        'After=network-online.target',
        '',
        '[Service]',
        'Type=oneshot',
        '# LIFEBOAT_STORE and the runbook\'s ${env:...} values (mode 0600)',
        'EnvironmentFile=-/etc/lifeboat/env',
        `ExecStart=${argv.map(systemdQuote).join(' ')}`,
        '# SIGTERM to Lifeboat only: it fails back and removes the lab itself before it exits',
        'KillMode=mixed',
        'TimeoutStopSec=300',
        '',
      ].join('\n'),
      [
        `# file: /etc/systemd/system/${unit}.timer`,
        '[Unit]',
        `Description=Lifeboat drill ${r.name} (${r.schedule})`,
        '',
        '[Timer]',
        ...onCalendar(parseSchedule(r.schedule).cron).map((c) => `OnCalendar=${c}`),
        'Persistent=true',
        `Unit=${unit}.service`,
        '',
        '[Install]',
        'WantedBy=timers.target',
        '',
      ].join('\n'),
    );
  }
  return parts.join('\n');
}

/** A CronJob name: a DNS label (lower case, digits, `-`), at most 52 characters. */
export function cronJobName(runbook: string): string {
  const name = `lifeboat-${runbook.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}`.slice(0, 52).replace(/-+$/, '');
  return name;
}

/** Kubernetes CronJob manifests, one YAML document each. */
export function k8sEntries(runbooks: ScheduledRunbook[], s: ScheduleSettings): string {
  const docs = runbooks.map((r) => ({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: cronJobName(r.name), labels: { 'app.kubernetes.io/name': 'lifeboat', 'lifeboat/runbook': r.name } },
    spec: {
      schedule: parseSchedule(r.schedule).cron,
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
      jobTemplate: {
        spec: {
          backoffLimit: 0,
          template: {
            spec: {
              restartPolicy: 'Never',
              // A deleted pod gets SIGTERM: time to fail back and tear down before SIGKILL.
              terminationGracePeriodSeconds: 300,
              containers: [
                {
                  name: 'lifeboat',
                  image: s.image,
                  // node is PID 1: the exit code and the signals are Lifeboat's own.
                  command: ['node', '/opt/lifeboat/dist/cli/main.js'],
                  args: ['--state-dir', '/state', 'drill', `/runbooks/${basename(r.file)}`],
                  envFrom: [{ secretRef: { name: 'lifeboat-env', optional: true } }],
                  volumeMounts: [
                    { name: 'state', mountPath: '/state' },
                    { name: 'runbooks', mountPath: '/runbooks', readOnly: true },
                  ],
                },
              ],
              volumes: [
                { name: 'state', persistentVolumeClaim: { claimName: 'lifeboat-state' } },
                { name: 'runbooks', configMap: { name: 'lifeboat-runbooks' } },
              ],
            },
          },
        },
      },
    },
  }));
  const head = [
    '# Lifeboat drills, from `lifeboat schedule --format k8s`. Needs: a ConfigMap lifeboat-runbooks with the',
    '# runbook files, a PersistentVolumeClaim lifeboat-state, and optionally a Secret lifeboat-env (LIFEBOAT_STORE,',
    "# the runbooks' ${env:...} values).",
  ].join('\n');
  return `${head}\n${docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n')}`;
}

/** Renders the entries of one format. */
export function scheduleEntries(format: ScheduleFormat, runbooks: ScheduledRunbook[], s: ScheduleSettings): string {
  return format === 'crontab' ? crontabEntries(runbooks, s) : format === 'systemd' ? systemdEntries(runbooks, s) : k8sEntries(runbooks, s);
}
