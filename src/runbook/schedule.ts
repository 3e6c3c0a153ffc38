import { Cron } from 'croner';

/**
 * What each named cadence means, as a 5-field cron expression in UTC. Drills start at 03:00 UTC
 * (a quiet hour for most teams in Europe and the Americas); weeks start on Monday; quarters on
 * the 1st of January, April, July and October.
 */
export const NAMED_SCHEDULES = {
  hourly: '0 * * * *',
  daily: '0 3 * * *',
  weekly: '0 3 * * 1',
  monthly: '0 3 1 * *',
  quarterly: '0 3 1 1,4,7,10 *',
  yearly: '0 3 1 1 *',
} as const;

/** A named cadence. */
export type NamedSchedule = keyof typeof NAMED_SCHEDULES;

/** Schedules are read in this time zone, by `status` and by every `schedule` format. */
export const SCHEDULE_TIMEZONE = 'UTC';

// Only what every target understands (Vixie/cronie cron, systemd after translation, Kubernetes):
// numbers, `*`, `,`, `-`, `/` and the English month and weekday names. Croner's extensions
// (`L`, `W`, `#`, `?`, seconds, years, `@daily`) would validate here and then fail in crontab.
const PORTABLE_FIELD = /^[0-9A-Za-z*,/-]+$/;
const FIELD_NAMES = ['minute', 'hour', 'day of month', 'month', 'day of week'] as const;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** Whether every word in field `i` is a month (field 3) or weekday (field 4) name. */
function namesArePortable(field: string, i: number): boolean {
  const allowed = i === 3 ? MONTHS : i === 4 ? WEEKDAYS : [];
  return (field.match(/[A-Za-z]+/g) ?? []).every((w) => allowed.includes(w.toLowerCase()));
}

/** A schedule understood: its cron expression (UTC) and, for a named one, its name. */
export interface ParsedSchedule {
  /** What the runbook says. */
  text: string;
  /** The 5-field cron expression, named cadences translated. */
  cron: string;
  /** The cadence, when a name was given. */
  name?: NamedSchedule;
}

/** Parses a runbook's `schedule`; throws an `Error` whose message says what is wrong (for validate). */
export function parseSchedule(text: string): ParsedSchedule {
  const trimmed = text.trim();
  if (Object.hasOwn(NAMED_SCHEDULES, trimmed)) {
    const name = trimmed as NamedSchedule;
    return { text, cron: NAMED_SCHEDULES[name], name };
  }
  const expected = `expected ${Object.keys(NAMED_SCHEDULES).join(', ')} or a 5-field cron expression (minute hour day-of-month month day-of-week, UTC)`;
  const fields = trimmed.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) throw new Error(`${expected}; got ${fields.length} field${fields.length === 1 ? '' : 's'} in "${text}"`);
  fields.forEach((f, i) => {
    if (!PORTABLE_FIELD.test(f) || !namesArePortable(f, i)) throw new Error(`${FIELD_NAMES[i]} field "${f}": only numbers, month and weekday names (JAN, MON), *, ",", "-" and "/" are portable to cron, systemd and Kubernetes`);
  });
  const cron = fields.join(' ');
  let job: Cron;
  try {
    job = scheduleJob(cron);
  } catch (err) {
    throw new Error(`not a valid cron expression "${text}": ${(err as Error).message.replace(/^CronPattern: /, '')}`);
  }
  // `0 3 30 2 *` parses but never fires: a drill that is never due is a mistake, not a schedule.
  if (job.nextRun(new Date(Date.UTC(2000, 0, 1))) === null) throw new Error(`cron expression "${text}" never fires`);
  return { text, cron };
}

/** Whether `text` is a valid schedule. */
export function isSchedule(text: string): boolean {
  try {
    parseSchedule(text);
    return true;
  } catch {
    return false;
  }
}

function scheduleJob(cron: string): Cron {
  // Day of month and day of week both restricted: either matches, as in every cron (OR logic).
  return new Cron(cron, { timezone: SCHEDULE_TIMEZONE, mode: '5-part', paused: true, domAndDow: false });
}

/** The first scheduled instant strictly after `after` (undefined if the schedule never fires again). */
export function nextOccurrence(schedule: ParsedSchedule, after: Date): Date | undefined {
  return scheduleJob(schedule.cron).nextRun(after) ?? undefined;
}
