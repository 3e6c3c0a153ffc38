import { describe, expect, it } from 'vitest';
import { parseIncidentStart } from './incident-start.js';

const NOW = Date.parse('2026-11-29T20:00:00Z');

describe('--incident-start', () => {
  it.each([
    ['2026-11-29T19:58:30Z', '2026-11-29T19:58:30.000Z'],
    ['2026-11-29T19:58:30.250Z', '2026-11-29T19:58:30.250Z'],
    ['2026-11-29T20:58:30+01:00', '2026-11-29T19:58:30.000Z'],
    ['2026-11-29T14:58-0500', '2026-11-29T19:58:00.000Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(new Date(parseIncidentStart(text, NOW)).toISOString()).toBe(iso);
  });

  it.each(['yesterday', '2026-11-29 19:58', '2026-11-29T19:58:30', '2026-02-30T10:00:00Z', '2026-13-01T10:00:00Z', '', '1732900000000'])(
    'refuses %j: not an ISO time with a zone (exit 2)',
    (text) => {
      expect(() => parseIncidentStart(text, NOW)).toThrow(/expected an ISO 8601 time with a zone/);
    },
  );

  it('refuses a time in the future', () => {
    expect(() => parseIncidentStart('2026-11-29T20:00:01Z', NOW)).toThrow(/is in the future/);
    expect(parseIncidentStart('2026-11-29T20:00:00Z', NOW)).toBe(NOW);
  });
});
