import { InvalidInputError } from '../errors.js';

// An ISO 8601 date and time with a zone: a time without one is read in whichever zone the machine
// is in, which is not where the incident was declared.
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;

/**
 * Parses `--incident-start`: when the incident began, t0 of a real failover's RTO. Refused (exit
 * 2): anything but an ISO 8601 time with a zone, an impossible date, and a time in the future
 * (the outage cannot begin after the failover that answers it).
 */
export function parseIncidentStart(text: string, now = Date.now()): number {
  const t = ISO_WITH_ZONE.test(text.trim()) ? Date.parse(text.trim()) : NaN;
  if (Number.isNaN(t) || !sameCalendarDate(text.trim(), t))
    throw new InvalidInputError(`--incident-start ${JSON.stringify(text)}: expected an ISO 8601 time with a zone, e.g. 2026-11-29T14:03:00Z or 2026-11-29T15:03:00+01:00`);
  if (t > now) throw new InvalidInputError(`--incident-start ${text} is in the future (now is ${new Date(now).toISOString()}): t0 is when the incident began`);
  return t;
}

/** Date.parse rolls 2026-02-30 over to March: the day written must be the day parsed (in the zone written). */
function sameCalendarDate(text: string, t: number): boolean {
  const [y, m, d] = text.slice(0, 10).split('-').map(Number);
  const zone = /(Z|[+-]\d{2}(:?\d{2})?)$/i.exec(text)![1]!;
  const offsetMin = /^z$/i.test(zone) ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.replace(':', '').slice(3, 5) || 0));
  const local = new Date(t + offsetMin * 60_000);
  return local.getUTCFullYear() === y && local.getUTCMonth() + 1 === m && local.getUTCDate() === d;
}
