import { describe, expect, it } from 'vitest';
import type { Copy } from './copy.js';
import { evaluateRules, type RestoreEvidence } from './evaluate-rules.js';
import { BackupRules } from './policy-schema.js';
import { CLOCK_SKEW_MS, Tally } from './tally.js';

const AT = Date.UTC(2026, 0, 15, 12, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const defaults = BackupRules.parse({});

function copy(over: Partial<Copy> = {}): Copy {
  return { id: 'c', medium: 'object storage', location: 'eu-west-1', immutable: false, immutability: 'none', createdAt: AT - HOUR, ...over };
}
function tally(copies: Copy[], at = AT): Tally {
  const t = new Tally('eu-west-1', 'disk', at);
  copies.forEach((c) => t.add(c));
  return t;
}
const verdicts = (rules = defaults, t: Tally, maxAge?: string, restore?: RestoreEvidence) =>
  Object.fromEntries(evaluateRules(rules, t, maxAge ? { text: maxAge, from: 'policy' } : undefined, restore).map((r) => [r.rule, r]));

describe('backup rules', () => {
  it('with only the primary: 1 copy, 1 medium, nothing offsite or immutable, and no newest copy', () => {
    const v = verdicts(defaults, tally([]), '1d');
    expect(v.copies).toEqual({ rule: 'copies', passed: false, need: '3', why: '1 copy found (the primary + 0); need 3' });
    expect(v.media!.why).toBe('1 medium (disk ×1); need 2');
    expect(v.offsite!.passed).toBe(false);
    expect(v.immutable!.why).toBe('0 immutable copies; need 1');
    expect(v.maxAge).toMatchObject({ passed: false, why: 'no copy found besides the primary; the newest copy must be younger than 1d' });
  });

  it('passes 3-2-1-1 with an offsite immutable copy on another medium', () => {
    const v = verdicts(defaults, tally([copy({ id: 'a', location: 'eu-west-1' }), copy({ id: 'b', location: 'us-west-2', immutable: true, immutability: 'COMPLIANCE' })]), '2h');
    expect(Object.values(v).every((r) => r.passed)).toBe(true);
    expect(v.copies!.why).toBe('3 copies found (the primary + 2: a (object storage, eu-west-1), b (object storage, us-west-2)); need 3');
  });

  it('does not count a same-region copy as offsite', () => {
    const v = verdicts(defaults, tally([copy({ id: 'same', location: 'eu-west-1' })]));
    expect(v.offsite).toMatchObject({ passed: false, why: '0 copies outside the primary location eu-west-1 (locations: eu-west-1 ×2); need 1' });
  });

  it('does not count a GOVERNANCE-locked copy as immutable, and says so', () => {
    const v = verdicts(defaults, tally([copy({ id: 'g', bypassableLock: true })]));
    expect(v.immutable!.passed).toBe(false);
    expect(v.immutable!.why).toBe('0 immutable copies; 1 copy under a lock that can be bypassed (g (object storage, eu-west-1)) not counted; need 1');
  });

  it('judges the newest copy against maxAge at the check time', () => {
    expect(verdicts(defaults, tally([copy({ createdAt: AT - 25 * HOUR }), copy({ createdAt: AT - 26 * HOUR })]), '1d').maxAge!.passed).toBe(false);
    expect(verdicts(defaults, tally([copy({ createdAt: AT - 23 * HOUR })]), '1d').maxAge!.passed).toBe(true);
  });

  it('counts a copy from a clock up to 5 minutes ahead with age 0, and leaves out one created later than that', () => {
    const t = tally([copy({ id: 'ahead', createdAt: AT + CLOCK_SKEW_MS }), copy({ id: 'future', createdAt: AT + CLOCK_SKEW_MS + 1 })]);
    expect(t.copies).toBe(2);
    expect(t.aheadOfClock).toBe(1);
    expect(t.afterCheck).toBe(1);
    expect(t.ageOf(t.newest!)).toBe(0);
    expect(verdicts(defaults, t, '1m').maxAge!.passed).toBe(true);
  });

  it('reads minRetention from the oldest copy or the longest known retention', () => {
    const rules = BackupRules.parse({ minRetention: '30d' });
    expect(verdicts(rules, tally([copy({ createdAt: AT - 31 * DAY })])).minRetention!.passed).toBe(true);
    expect(verdicts(rules, tally([copy({ createdAt: AT - DAY })])).minRetention!.passed).toBe(false);
    expect(verdicts(rules, tally([copy({ createdAt: AT - DAY, retainUntil: AT + 29 * DAY })])).minRetention!.passed).toBe(true);
  });

  it('judges restore drills: the newest success within restoreTestedWithin, failures in that window', () => {
    const rules = BackupRules.parse({ restoreTestedWithin: '7d', restoreRunbook: 'r.yaml' });
    const restore = (drills: RestoreEvidence['drills']): RestoreEvidence => ({ runbook: 'orders-restore', drills });
    const none = verdicts(rules, tally([]), undefined, restore([]));
    expect(none.restoreTestedWithin).toMatchObject({ passed: false, why: 'no successful restore drill of orders-restore recorded; need one within 7d' });
    expect(none.maxFailedRestores!.passed).toBe(true);
    const v = verdicts(rules, tally([]), undefined, restore([
      { runId: 'ok-old', finishedAt: AT - 8 * DAY, ok: true },
      { runId: 'ok-new', finishedAt: AT - 2 * DAY, ok: true },
      { runId: 'bad', finishedAt: AT - DAY, ok: false },
      { runId: 'bad-long-ago', finishedAt: AT - 9 * DAY, ok: false },
    ]));
    expect(v.restoreTestedWithin!.passed).toBe(true);
    expect(v.restoreTestedWithin!.why).toContain('run ok-new');
    expect(v.maxFailedRestores).toMatchObject({ passed: false, why: '1 failed restore drill of orders-restore in the last 7d (bad); at most 0' });
  });
});
