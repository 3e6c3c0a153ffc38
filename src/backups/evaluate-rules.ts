import { formatDuration, ms } from '../util/duration.js';
import type { Copy } from './copy.js';
import type { BackupRules } from './policy-schema.js';
import type { Tally } from './tally.js';

/** The rule names, as in the policy and in the metrics' `rule` label. */
export type RuleName = 'copies' | 'media' | 'offsite' | 'immutable' | 'maxAge' | 'minRetention' | 'restoreTestedWithin' | 'maxFailedRestores';

/** One rule's outcome with a sentence saying why. */
export interface RuleResult {
  rule: RuleName;
  passed: boolean;
  /** What the rule asks for, as written ("3", "1d"). */
  need: string;
  why: string;
}

/** The drills of the restore runbook, as the history holds them (read by the caller). */
export interface RestoreEvidence {
  /** The restore runbook's name (history rows are matched by it). */
  runbook: string;
  /** Its finished drills, any order. `ok`: completed with every objective met. */
  drills: Array<{ runId: string; finishedAt: number; ok: boolean }>;
}

/** What `maxAge` resolves to: the policy's value, else the restore runbook's RPO. */
export interface EffectiveMaxAge {
  text: string;
  from: 'policy' | 'restoreRunbook RPO';
}

/** Without `restoreTestedWithin`, failed restores are counted over this window. */
export const DEFAULT_FAILED_RESTORE_WINDOW = '90d';

/** An age for people: `3d4h`, `5h02m`, `4m05s`, `850ms`. */
export function formatAge(t: number): string {
  if (t < 3_600_000) return formatDuration(t);
  const m = Math.round(t / 60_000);
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  return d ? `${d}d${h}h` : `${h}h${String(m % 60).padStart(2, '0')}m`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const iso = (t: number) => new Date(t).toISOString();

function describeCopy(c: Copy): string {
  return `${c.id} (${c.medium}, ${c.location})`;
}

function listExamples(t: Tally, copies: readonly Copy[], total: number): string {
  if (total === 0) return '';
  const shown = copies.slice(0, 3).map(describeCopy).join(', ');
  return total > 3 ? `${shown}, … ${total - 3} more` : shown;
}

function breakdown(map: ReadonlyMap<string, number>): string {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ×${n}`)
    .join(', ');
}

/**
 * Judges every rule that applies against what the sources held. Pure: the same tally, evidence
 * and check time give the same results.
 */
export function evaluateRules(rules: BackupRules, t: Tally, maxAge: EffectiveMaxAge | undefined, restore: RestoreEvidence | undefined): RuleResult[] {
  const out: RuleResult[] = [];
  const found = t.copies - 1;
  out.push({
    rule: 'copies',
    passed: t.copies >= rules.copies,
    need: String(rules.copies),
    why: `${plural(t.copies, 'copy', 'copies')} found (the primary + ${found}${found ? `: ${listExamples(t, t.examples, found)}` : ''}); need ${rules.copies}`,
  });
  out.push({
    rule: 'media',
    passed: t.media.size >= rules.media,
    need: String(rules.media),
    why: `${plural(t.media.size, 'medium', 'media')} (${breakdown(t.media)}); need ${rules.media}`,
  });
  out.push({
    rule: 'offsite',
    passed: t.offsite >= rules.offsite,
    need: String(rules.offsite),
    why: `${plural(t.offsite, 'copy', 'copies')} outside the primary location ${t.primaryLocation} (locations: ${breakdown(t.locations)}); need ${rules.offsite}`,
  });
  const bypass = t.bypassable ? `; ${plural(t.bypassable, 'copy', 'copies')} under a lock that can be bypassed (${listExamples(t, t.bypassableExamples, t.bypassable)}) not counted` : '';
  out.push({
    rule: 'immutable',
    passed: t.immutable >= rules.immutable,
    need: String(rules.immutable),
    why: `${plural(t.immutable, 'immutable copy', 'immutable copies')}${t.immutable ? ` (${listExamples(t, t.immutableExamples, t.immutable)})` : ''}${bypass}; need ${rules.immutable}`,
  });
  if (maxAge) {
    const limit = ms(maxAge.text);
    const from = maxAge.from === 'policy' ? '' : ` (the ${maxAge.from})`;
    if (!t.newest) out.push({ rule: 'maxAge', passed: false, need: maxAge.text, why: `no copy found besides the primary; the newest copy must be younger than ${maxAge.text}${from}` });
    else {
      const age = t.ageOf(t.newest);
      out.push({
        rule: 'maxAge',
        passed: age < limit,
        need: maxAge.text,
        why: `newest copy ${describeCopy(t.newest)} created ${iso(t.newest.createdAt)} is ${formatAge(age)} old; must be younger than ${maxAge.text}${from}`,
      });
    }
  }
  if (rules.minRetention) {
    const need = ms(rules.minRetention);
    const oldestAge = t.oldest ? t.ageOf(t.oldest) : 0;
    const kept = t.longestRetention?.ms ?? 0;
    const passed = oldestAge >= need || kept >= need;
    const parts = [t.oldest ? `oldest copy ${t.oldest.id} is ${formatAge(oldestAge)} old` : 'no copy found besides the primary'];
    if (t.longestRetention) parts.push(`longest known retention ${formatAge(kept)} (${t.longestRetention.copy.id})`);
    out.push({ rule: 'minRetention', passed, need: rules.minRetention, why: `${parts.join('; ')}; need ${rules.minRetention}` });
  }
  if (restore) {
    const ok = restore.drills.filter((d) => d.ok && d.finishedAt <= t.at).sort((a, b) => b.finishedAt - a.finishedAt);
    if (rules.restoreTestedWithin) {
      const limit = ms(rules.restoreTestedWithin);
      const last = ok[0];
      out.push({
        rule: 'restoreTestedWithin',
        passed: !!last && t.at - last.finishedAt < limit,
        need: rules.restoreTestedWithin,
        why: last
          ? `last successful restore drill of ${restore.runbook} (run ${last.runId}) finished ${iso(last.finishedAt)}, ${formatAge(Math.max(0, t.at - last.finishedAt))} ago; need one within ${rules.restoreTestedWithin}`
          : `no successful restore drill of ${restore.runbook} recorded; need one within ${rules.restoreTestedWithin}`,
      });
    }
    const window = rules.restoreTestedWithin ?? DEFAULT_FAILED_RESTORE_WINDOW;
    const since = t.at - ms(window);
    const failed = restore.drills.filter((d) => !d.ok && d.finishedAt >= since && d.finishedAt <= t.at);
    out.push({
      rule: 'maxFailedRestores',
      passed: failed.length <= rules.maxFailedRestores,
      need: String(rules.maxFailedRestores),
      why: `${plural(failed.length, 'failed restore drill')} of ${restore.runbook} in the last ${window}${failed.length ? ` (${failed.slice(0, 3).map((d) => d.runId).join(', ')}${failed.length > 3 ? ', …' : ''})` : ''}; at most ${rules.maxFailedRestores}`,
    });
  }
  return out;
}
