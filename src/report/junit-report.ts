import { formatDuration } from '../util/duration.js';
import type { RunResult, StepSummary } from '../verify/run-result.js';
import type { ObjectiveVerdict } from '../verify/verdict.js';
import { escapeXml, escapeXmlAttribute as attr } from './escape.js';

/** Seconds with millisecond precision, as JUnit's `time` attributes expect. */
const seconds = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(3);

interface TestCase {
  classname: string;
  name: string;
  timeMs?: number;
  failure?: { type: string; message: string; detail?: string };
  error?: { type: string; message: string; detail?: string };
  out?: string;
}

// Step statuses that mean the step did its work (in this attempt or before a resume).
const PASSED = new Set(['succeeded', 'already-done', 'skipped']);

function objectiveCase(r: RunResult, v: ObjectiveVerdict): TestCase {
  const m = r.measurements;
  const bound = v.objective === 'rpo' && m.rpoIsLowerBound ? '≥ ' : '';
  const measured = v.measuredMs === undefined ? (v.reason ?? 'not measured') : `${bound}${formatDuration(v.measuredMs)}`;
  const name = `${v.objective.toUpperCase()} ≤ ${formatDuration(v.targetMs)}`;
  const summary = `measured ${measured}, objective ${formatDuration(v.targetMs)}${v.marginMs !== undefined ? `, margin ${formatDuration(v.marginMs)}` : ''}`;
  const base = { classname: `lifeboat.${r.runbook}.objectives`, name, ...(v.measuredMs !== undefined ? { timeMs: 0 } : {}) };
  if (!v.met) return { ...base, failure: { type: 'ObjectiveMissed', message: `${v.objective.toUpperCase()} missed: ${summary}`, ...(v.reason ? { detail: v.reason } : {}) } };
  return { ...base, out: `${v.objective.toUpperCase()} met: ${summary}` };
}

function stepCase(r: RunResult, s: StepSummary): TestCase {
  const base: TestCase = { classname: `lifeboat.${r.runbook}.${s.phase}`, name: s.id, ...(s.durationMs !== undefined ? { timeMs: s.durationMs } : {}) };
  const attempts = `${s.attempts} attempt${s.attempts === 1 ? '' : 's'}`;
  const out = [s.description, s.output !== undefined ? `output: ${JSON.stringify(s.output)}` : undefined].filter((x) => x !== undefined).join('\n');
  if (out) base.out = out;
  if (s.status === 'failed') return { ...base, failure: { type: 'StepFailed', message: `${s.phase}/${s.id} failed after ${attempts}: ${s.error ?? 'no error recorded'}`, ...(s.error ? { detail: s.error } : {}) } };
  // A step that started and never ended: the run was interrupted or its process died mid-step.
  if (s.endedAt === undefined || s.status === 'started') return { ...base, error: { type: 'StepIncomplete', message: `${s.phase}/${s.id} did not finish (${attempts})${r.error ? `: ${r.error}` : ''}` } };
  // Undone by its compensation after a later step failed: the phase did not do what it should.
  if (s.status === 'compensated') return { ...base, failure: { type: 'StepCompensated', message: `${s.phase}/${s.id} was undone by its compensation after a later step failed` } };
  if (!PASSED.has(s.status)) return { ...base, error: { type: 'StepIncomplete', message: `${s.phase}/${s.id} ended ${s.status}` } };
  return base;
}

/** The run itself: an error when it did not complete (aborted, a step or preflight failed, not recovered in time). */
function runCase(r: RunResult): TestCase {
  const base: TestCase = { classname: `lifeboat.${r.runbook}`, name: `${r.mode} completes`, timeMs: r.finishedAt - r.startedAt };
  if (r.status === 'completed') return base;
  return { ...base, error: { type: r.status === 'aborted' ? 'RunAborted' : 'RunFailed', message: `the ${r.mode} ${r.status}${r.error ? `: ${r.error}` : ''}` } };
}

function cleanupCase(r: RunResult): TestCase {
  const base: TestCase = { classname: `lifeboat.${r.runbook}`, name: 'cleanup' };
  if (!r.cleanupErrors.length) return base;
  return { ...base, failure: { type: 'CleanupFailed', message: r.cleanupErrors[0]!, detail: r.cleanupErrors.join('\n') } };
}

function renderCase(c: TestCase): string {
  const open = `    <testcase classname="${attr(c.classname)}" name="${attr(c.name)}" time="${seconds(c.timeMs)}"`;
  const inner: string[] = [];
  for (const [tag, p] of [['failure', c.failure], ['error', c.error]] as const)
    if (p) inner.push(`      <${tag} type="${attr(p.type)}" message="${attr(p.message)}">${escapeXml(p.detail ?? p.message)}</${tag}>`);
  if (c.out) inner.push(`      <system-out>${escapeXml(c.out)}</system-out>`);
  return inner.length ? `${open}>\n${inner.join('\n')}\n    </testcase>` : `${open}/>`;
}

/**
 * JUnit XML for CI: one test case per objective (a missed RTO or RPO is a `<failure>`), one per
 * step (failed: `<failure>`; never finished: `<error>`), one for the run completing and one for
 * its cleanup. Pure; every text is escaped and characters XML cannot hold are replaced.
 */
export function renderJunitReport(r: RunResult): string {
  const cases = [runCase(r), ...r.verdicts.map((v) => objectiveCase(r, v)), ...r.steps.map((s) => stepCase(r, s)), cleanupCase(r)];
  const failures = cases.filter((c) => c.failure).length;
  const errors = cases.filter((c) => c.error).length;
  const time = seconds(r.finishedAt - r.startedAt);
  const counts = `tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${time}"`;
  const properties = [
    ['runId', r.runId],
    ['runbook', r.runbook],
    ['file', r.file],
    ['mode', r.mode],
    ['status', r.status],
    ['verdict', r.verdict],
    ...(r.owner !== undefined ? [['owner', r.owner]] : []),
    ...Object.entries(r.labels ?? {}).map(([k, v]) => [`label.${k}`, v]),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="lifeboat" ${counts}>`,
    `  <testsuite name="${attr(`lifeboat ${r.mode}: ${r.runbook}`)}" ${counts} timestamp="${new Date(r.startedAt).toISOString().replace(/Z$/, '')}">`,
    '    <properties>',
    ...properties.map(([k, v]) => `      <property name="${attr(k!)}" value="${attr(v!)}"/>`),
    '    </properties>',
    ...cases.map(renderCase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
