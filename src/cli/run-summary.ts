import type { RunResult } from '../verify/run-result.js';
import { formatDuration } from '../util/duration.js';
import { out } from './output.js';

const d = formatDuration;

/** The people-facing summary of a run on stdout: verdict, objectives against measured figures, data loss, problems. */
export function printSummary(r: RunResult, reports: string[]): void {
  const m = r.measurements;
  out(`${r.mode === 'drill' ? 'Drill' : 'Failover'} ${r.runbook} — run ${r.runId}: ${r.verdict.toUpperCase()}${r.status !== 'completed' ? ` (${r.status})` : ''}`);
  if (r.error) out(`  error: ${r.error}`);
  if (r.status !== 'completed') out('  objectives not judged: the run did not complete');
  for (const v of r.status === 'completed' ? r.verdicts : []) {
    const bound = v.objective === 'rpo' && m.rpoIsLowerBound ? '≥ ' : '';
    const measured = v.measuredMs === undefined ? (v.reason ?? 'not measured') : `${bound}${d(v.measuredMs)}`;
    const resolution = v.objective === 'rto' ? m.rtoResolutionMs : m.rpoResolutionMs;
    const res = v.measuredMs !== undefined && resolution ? ` (±${d(resolution)})` : '';
    const why = !v.met && v.measuredMs !== undefined && v.reason ? ` (${v.reason})` : '';
    out(`  ${v.objective.toUpperCase()}  measured ${measured}${res}, objective ${d(v.targetMs)}: ${v.met ? `met, margin ${d(v.marginMs ?? 0)}` : `MISSED${why}`}`);
  }
  if (m.rtoMs !== undefined && (r.status !== 'completed' || !r.verdicts.some((v) => v.objective === 'rto'))) out(`  RTO  measured ${d(m.rtoMs)}`);
  if (m.outageObserved === false) out('  no outage observed: every recovery check after the fault succeeded (RTO 0)');
  if (m.acknowledgedWrites !== undefined) {
    const rpo = m.rpoNotMeasured ? `; RPO ${m.rpoNotMeasured}` : m.lostWrites ? ` (RPO ${m.rpoIsLowerBound ? '≥ ' : ''}${d(m.rpoMs ?? 0)})` : '';
    out(`  writes: ${m.acknowledgedWrites} acknowledged, ${m.lostWrites} lost${rpo}`);
  }
  if (m.heartbeat) {
    const rpo = m.rpoNotMeasured ? `; RPO ${m.rpoNotMeasured}` : ` (RPO ${m.rpoIsLowerBound ? '≥ ' : ''}${d(m.rpoMs ?? 0)})`;
    out(`  heartbeat: ${m.heartbeat.acknowledged} beats acknowledged, ${m.heartbeat.lost} missing on ${m.heartbeat.readFrom ?? m.heartbeat.target}${rpo}`);
  }
  for (const p of m.dataLossByProbe ?? []) out(`    ${p.probe}: ${p.acknowledged} acknowledged, ${p.lost} lost, RPO ${p.rpoIsLowerBound ? '≥ ' : ''}${d(p.rpoMs)}`);
  if (m.splitBrain) out(`  SPLIT BRAIN: ${m.splitBrain.join(', ')} all accepted writes; markers read from ${m.markersReadFrom}`);
  for (const s of r.steps.filter((x) => x.status === 'failed')) out(`  step ${s.phase}/${s.id} failed: ${s.error}`);
  for (const e of r.cleanupErrors) out(`  cleanup: ${e}`);
  out(`  report: ${reports.find((p) => p.endsWith('.md'))}`);
}
