import { dirname } from 'node:path';
import { messageOf } from '../errors.js';
import type { AwsClients } from '../providers/aws/aws-clients.js';
import { evaluateRules, type EffectiveMaxAge, type RestoreEvidence, type RuleResult } from './evaluate-rules.js';
import type { LoadedPolicy } from './policy-schema.js';
import { copiesOf, sourceLabel } from './sources/sources.js';
import { Tally } from './tally.js';
import { formatAge } from './evaluate-rules.js';

/** At most this many notes are kept per policy (a directory of mismatching files would flood the report). */
const MAX_NOTES = 50;

/** The outcome of checking one policy. */
export interface PolicyCheckResult {
  policy: string;
  file: string;
  resource: string;
  /** The check time (ms since the epoch): `--at`, or now. */
  checkedAt: number;
  /** Every rule passed and every source was read. */
  compliant: boolean;
  rules: RuleResult[];
  copies: number;
  media: string[];
  offsite: number;
  immutable: number;
  newest?: { id: string; createdAt: number; ageMs: number };
  notes: string[];
  /** Sources that could not be read (the check is then incomplete: exit 3). */
  sourceErrors: Array<{ source: string; error: string }>;
}

export interface CheckOptions {
  aws: Pick<AwsClients, 'get'>;
  at: number;
  signal?: AbortSignal;
  /** The restore runbook's drills, when the policy names one. */
  restore?: RestoreEvidence;
  /** The effective maxAge: default the policy's own; the caller passes the restore runbook's RPO when the policy has none. */
  maxAge?: EffectiveMaxAge;
}

/** Lists every source of a policy (one copy at a time) and judges the rules. */
export async function checkPolicy(loaded: LoadedPolicy, opts: CheckOptions): Promise<PolicyCheckResult> {
  const { policy } = loaded;
  const tally = new Tally(policy.primary.location, policy.primary.medium, opts.at);
  const notes: string[] = [];
  let dropped = 0;
  const sourceErrors: PolicyCheckResult['sourceErrors'] = [];
  for (const [i, source] of policy.sources.entries()) {
    const label = sourceLabel(source, i);
    const note = (text: string) => (notes.length < MAX_NOTES ? notes.push(`${label}: ${text}`) : dropped++);
    try {
      for await (const copy of copiesOf(source, {
        aws: opts.aws,
        signal: opts.signal,
        at: opts.at,
        primaryLocation: policy.primary.location,
        policyDir: dirname(loaded.file),
        immutableWanted: Math.max(0, policy.rules.immutable - tally.immutable),
        note,
      }))
        tally.add(copy);
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      sourceErrors.push({ source: label, error: messageOf(err) });
    }
  }
  if (dropped) notes.push(`… ${dropped} more notes`);
  if (tally.aheadOfClock)
    notes.push(`${tally.aheadOfClock} ${tally.aheadOfClock === 1 ? 'copy was' : 'copies were'} created up to ${formatAge(5 * 60_000)} after the check time: clocks differ; counted with age 0`);
  if (tally.afterCheck)
    notes.push(`${tally.afterCheck} ${tally.afterCheck === 1 ? 'copy was' : 'copies were'} created more than 5m after the check time ${new Date(opts.at).toISOString()}: not counted`);
  const maxAge = opts.maxAge ?? (policy.rules.maxAge ? { text: policy.rules.maxAge, from: 'policy' as const } : undefined);
  const rules = evaluateRules(policy.rules, tally, maxAge, opts.restore);
  return {
    policy: policy.name,
    file: loaded.file,
    resource: policy.resource,
    checkedAt: opts.at,
    compliant: sourceErrors.length === 0 && rules.every((r) => r.passed),
    rules,
    copies: tally.copies,
    media: [...tally.media.keys()],
    offsite: tally.offsite,
    immutable: tally.immutable,
    ...(tally.newest ? { newest: { id: tally.newest.id, createdAt: tally.newest.createdAt, ageMs: tally.ageOf(tally.newest) } } : {}),
    notes,
    sourceErrors,
  };
}
