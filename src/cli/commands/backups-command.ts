import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { checkPolicy, type PolicyCheckResult } from '../../backups/check-policy.js';
import { DEFAULT_FAILED_RESTORE_WINDOW, formatAge, type EffectiveMaxAge, type RestoreEvidence } from '../../backups/evaluate-rules.js';
import { loadPolicy, policyProblem } from '../../backups/load-policy.js';
import type { BackupPolicy, LoadedPolicy } from '../../backups/policy-schema.js';
import { backupMetrics } from '../../backups/prometheus-text.js';
import { describeSource } from '../../backups/sources/sources.js';
import { InfrastructureError, InvalidInputError, InvalidRunbookError, messageOf, type RunbookProblem } from '../../errors.js';
import { redactText, redactValue } from '../../log.js';
import { AwsClients } from '../../providers/aws/aws-clients.js';
import { loadRunbook } from '../../runbook/load.js';
import type { HistoryStore } from '../../store/history-store.js';
import { openStore } from '../../store/open-store.js';
import { defaultRegistry } from '../default-registry.js';
import { EXIT } from '../exit-codes.js';
import type { GlobalOptions } from '../global-options.js';
import { out, outJson, writeErr } from '../output.js';

/** What the restore runbook of a policy says: its name (history rows are matched by it) and its RPO. */
interface RestoreRunbook {
  file: string;
  name: string;
  rpo?: string;
}

/** Loads the policy's `restoreRunbook` (relative to the policy file); a bad one makes the policy invalid. */
async function restoreRunbookOf(loaded: LoadedPolicy): Promise<RestoreRunbook | undefined> {
  const ref = loaded.policy.rules.restoreRunbook;
  if (!ref) return undefined;
  const file = resolve(dirname(loaded.file), ref);
  try {
    const { runbook } = await loadRunbook(file, defaultRegistry());
    return { file, name: runbook.name, rpo: runbook.objectives.rpo };
  } catch (err) {
    if (!(err instanceof InvalidRunbookError)) throw err;
    const first = err.problems[0];
    const why = first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : err.message;
    throw new InvalidRunbookError([policyProblem(loaded, ['rules', 'restoreRunbook'], `${ref}: ${why}`)]);
  }
}

function effectiveMaxAge(policy: BackupPolicy, restore: RestoreRunbook | undefined): EffectiveMaxAge | undefined {
  if (policy.rules.maxAge) return { text: policy.rules.maxAge, from: 'policy' };
  if (restore?.rpo) return { text: restore.rpo, from: 'restoreRunbook RPO' };
  return undefined;
}

/** The restore runbook's finished drills, from the history: completed and met is a successful restore; a failed run or a missed objective is a failed one. */
async function restoreEvidence(store: HistoryStore, restore: RestoreRunbook): Promise<RestoreEvidence> {
  const runs = await store.list({ runbook: restore.name, limit: 10_000 });
  const drills: RestoreEvidence['drills'] = [];
  for (const r of runs) {
    if (r.mode !== 'drill' || !r.finishedAt) continue;
    const ok = r.status === 'completed' && r.verdict === 'met';
    const failed = r.status === 'failed' || r.verdict === 'missed';
    // An aborted drill (interrupted, no lab) proved nothing either way.
    if (ok || failed) drills.push({ runId: r.runId, finishedAt: Date.parse(r.finishedAt), ok });
  }
  return { runbook: restore.name, drills };
}

/** Loads every policy file, reporting every problem of every file (exit 2) before anything is checked. */
async function loadAll(files: string[]): Promise<Array<{ loaded: LoadedPolicy; restore?: RestoreRunbook }>> {
  const problems: RunbookProblem[] = [];
  const loaded: Array<{ loaded: LoadedPolicy; restore?: RestoreRunbook }> = [];
  for (const file of files) {
    try {
      const l = await loadPolicy(file);
      loaded.push({ loaded: l, restore: await restoreRunbookOf(l) });
    } catch (err) {
      if (!(err instanceof InvalidRunbookError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (problems.length) throw new InvalidRunbookError(problems);
  return loaded;
}

function parseAt(at: string | undefined): number {
  if (at === undefined) return Date.now();
  const t = Date.parse(at);
  if (!/^\d{4}-\d{2}-\d{2}/.test(at) || Number.isNaN(t)) throw new InvalidInputError(`--at must be an ISO 8601 time such as 2026-01-15T09:30:00Z, got ${at}`);
  return t;
}

/** Writes the metrics next to their final name, then renames: the textfile collector never reads half a file. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, text, { mode: 0o644 });
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new InfrastructureError(`cannot write the metrics file ${file}: ${messageOf(err)}`, { cause: err });
  }
}

function printResult(r: PolicyCheckResult): void {
  const verdict = r.sourceErrors.length ? 'INCOMPLETE' : r.compliant ? 'COMPLIANT' : 'NOT COMPLIANT';
  out(`${r.resource} (policy ${r.policy}, ${r.file}): ${verdict}`);
  const width = Math.max(...r.rules.map((x) => x.rule.length));
  for (const x of r.rules) out(`  ${x.passed ? 'pass' : 'FAIL'}  ${x.rule.padEnd(width)}  ${x.why}`);
  for (const n of r.notes) out(`  note: ${n}`);
  for (const e of r.sourceErrors) out(`  error: ${e.source} could not be read: ${e.error}`);
}

/** `lifeboat backups check`: exit 0 compliant, 1 not compliant, 2 invalid policy, 3 a source could not be read. */
export async function backupsCheckCommand(files: string[], opts: { json?: boolean; prom?: string; at?: string }, g: GlobalOptions): Promise<number> {
  const at = parseAt(opts.at);
  const policies = await loadAll(files);
  const aws = new AwsClients({});
  const store = await openStore({ stateDir: g.stateDir });
  const results: PolicyCheckResult[] = [];
  try {
    for (const { loaded, restore } of policies) {
      const evidence = restore ? await restoreEvidence(store, restore) : undefined;
      const result = redactValue(await checkPolicy(loaded, { aws, at, restore: evidence, maxAge: effectiveMaxAge(loaded.policy, restore) }));
      await store.recordBackupCheck({ policy: result.policy, resource: result.resource, file: result.file, checkedAt: result.checkedAt, compliant: result.compliant, result });
      results.push(result);
    }
  } finally {
    aws.destroy();
    await store.close();
  }
  if (opts.prom) await writeAtomically(opts.prom, backupMetrics(results));
  if (opts.json) outJson({ compliant: results.every((r) => r.compliant), results });
  else results.forEach(printResult);
  for (const r of results)
    for (const e of r.sourceErrors) writeErr(`lifeboat: policy ${r.policy}: ${e.source} could not be read: ${redactText(e.error)}\n`);
  if (results.some((r) => r.sourceErrors.length)) return EXIT.INCOMPLETE;
  return results.every((r) => r.compliant) ? EXIT.OK : EXIT.MISSED;
}

/** `lifeboat backups explain`: what a check would look at and judge, with every rule's effective value; calls nothing. */
export async function backupsExplainCommand(file: string, opts: { json?: boolean }): Promise<number> {
  const [{ loaded, restore }] = (await loadAll([file])) as [{ loaded: LoadedPolicy; restore?: RestoreRunbook }];
  const { policy } = loaded;
  const rules = policy.rules;
  const maxAge = effectiveMaxAge(policy, restore);
  const explained = {
    policy: policy.name,
    file: loaded.file,
    resource: policy.resource,
    primary: policy.primary,
    sources: policy.sources.map((s, i) => ({ index: i, type: s.type, looksAt: describeSource(s) })),
    rules: [
      { rule: 'copies', value: rules.copies, meaning: `at least ${rules.copies} copies, the primary included` },
      { rule: 'media', value: rules.media, meaning: `on at least ${rules.media} different media, the primary's (${policy.primary.medium}) included` },
      { rule: 'offsite', value: rules.offsite, meaning: `at least ${rules.offsite} copies outside ${policy.primary.location}` },
      { rule: 'immutable', value: rules.immutable, meaning: `at least ${rules.immutable} copies under Object Lock COMPLIANCE (future retain-until), a legal hold, or an AWS Backup vault lock in compliance mode` },
      maxAge
        ? { rule: 'maxAge', value: maxAge.text, meaning: `the newest copy is younger than ${maxAge.text}${maxAge.from === 'policy' ? '' : ` (the RPO of ${restore!.name})`}` }
        : { rule: 'maxAge', value: null, meaning: 'not checked (no maxAge, no restoreRunbook with an RPO)' },
      { rule: 'minRetention', value: rules.minRetention ?? null, meaning: rules.minRetention ? `copies are kept at least ${rules.minRetention}` : 'not checked' },
      restore
        ? { rule: 'restoreTestedWithin', value: rules.restoreTestedWithin ?? null, meaning: rules.restoreTestedWithin ? `a successful drill of ${restore.name} (${restore.file}) within ${rules.restoreTestedWithin}, read from the history` : 'not checked' }
        : { rule: 'restoreTestedWithin', value: null, meaning: 'not checked (no restoreRunbook)' },
      restore
        ? {
            rule: 'maxFailedRestores',
            value: rules.maxFailedRestores,
            meaning: `at most ${rules.maxFailedRestores} failed drills of ${restore.name} in the last ${rules.restoreTestedWithin ?? DEFAULT_FAILED_RESTORE_WINDOW}`,
          }
        : { rule: 'maxFailedRestores', value: rules.maxFailedRestores, meaning: 'not checked (no restoreRunbook)' },
    ],
  };
  if (opts.json) {
    outJson(redactValue(explained));
    return EXIT.OK;
  }
  out(`Backup policy ${policy.name} for ${policy.resource} (${loaded.file})`);
  out(`  primary: ${policy.primary.medium} at ${policy.primary.location} (counts as one copy)`);
  out('\nsources (each listed page by page):');
  for (const s of explained.sources) out(`  [${s.index}] ${redactText(s.looksAt)}`);
  out('\nrules:');
  for (const r of explained.rules) out(`  ${r.rule.padEnd(19)} ${r.meaning}`);
  out(`\nnothing was called; copies within ${formatAge(5 * 60_000)} after the check time count with age 0 (clocks differ).`);
  return EXIT.OK;
}
