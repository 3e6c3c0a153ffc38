import type { TimelineEvent } from '../../timeline/timeline-event.js';
import type { RunResult } from '../../verify/run-result.js';
import { sampleRunResult } from './sample-run-result.js';

const T = Date.UTC(2026, 10, 29, 12, 0, 0);

/** Text meant to break out of HTML, XML and the Prometheus format if a renderer forgot to escape it. */
export const HOSTILE = {
  description: 'Orders DB <script>window.__lifeboatPwned = 1</script><img src="http://127.0.0.1:9/pixel.png"> & "friends"',
  owner: `team <b>payments</b> & 'ops'`,
  labels: { tier: '<i>gold</i>', path: 'C:\\drills\\"q"\nnext' },
  stepDescription: 'Kill </td></tr></table><script>window.__lifeboatPwned = 2</script>',
  error: 'pg_ctl: exit 1 <server> "not ready" & \u0001\u0007 bell',
  runbook: 'orders-db',
};

/** A probe's checks every 100 ms from `from` to `to`, failing inside [downFrom, downTo). */
function checks(probe: string, from: number, to: number, downFrom: number, downTo: number): TimelineEvent[] {
  const out: TimelineEvent[] = [];
  for (let start = from; start < to; start += 100) {
    const ok = start < downFrom || start >= downTo;
    out.push({ t: start + 20, kind: 'probe', probe, start, ok, endpoint: 'primary', ...(ok ? {} : { error: 'connection refused' }) });
  }
  return out;
}

/** Acknowledged writes every 100 ms in [from, to). */
function acks(from: number, to: number, writer = 'writes-1'): TimelineEvent[] {
  const out: TimelineEvent[] = [];
  let seq = 0;
  for (let t = from; t < to; t += 100) out.push({ t, kind: 'write-ack', probe: 'writes', writer, seq: ++seq, endpoint: 'primary' });
  return out;
}

/**
 * A drill that completed and met its objectives: RTO 1.2 s (objective 5 s), nothing lost; the
 * runbook's description, owner, labels, a step description and a step error are hostile text.
 */
export function metRunResult(): RunResult {
  const t0 = T + 3_000;
  const t1 = T + 4_200;
  const timeline: TimelineEvent[] = [
    { t: T, kind: 'run', status: 'started' },
    ...checks('ready', T + 1_000, T + 8_000, t0, t1),
    ...acks(T + 1_000, T + 2_900),
    ...acks(T + 4_300, T + 8_000, 'writes-2'),
    { t: T + 2_000, kind: 'mark', name: 'steady-state' },
    { t: T + 2_950, kind: 'phase', phase: 'fault', status: 'started' },
    { t: T + 2_950, kind: 'step', phase: 'fault', stepId: 'kill-primary', status: 'started', attempt: 1 },
    { t: T + 3_050, kind: 'step', phase: 'fault', stepId: 'kill-primary', status: 'succeeded', attempt: 1, output: { pid: 4242, note: '</pre><script>window.__lifeboatPwned = 3</script>' } },
    { t: T + 3_050, kind: 'phase', phase: 'fault', status: 'completed' },
    { t: T + 3_100, kind: 'phase', phase: 'failover', status: 'started' },
    { t: T + 3_100, kind: 'step', phase: 'failover', stepId: 'promote', status: 'started', attempt: 1 },
    { t: T + 3_400, kind: 'step', phase: 'failover', stepId: 'promote', status: 'retrying', attempt: 1, error: HOSTILE.error },
    { t: T + 4_000, kind: 'step', phase: 'failover', stepId: 'promote', status: 'succeeded', attempt: 2 },
    { t: T + 4_000, kind: 'phase', phase: 'failover', status: 'completed' },
    { t: t1, kind: 'mark', name: 'recovered' },
    { t: T + 5_000, kind: 'markers', probe: 'writes', endpoint: 'replica', missing: [] },
    { t: T + 8_500, kind: 'run', status: 'succeeded' },
  ].sort((a, b) => a.t - b.t) as TimelineEvent[];
  return {
    runId: '20261129-120000-met001',
    runbook: HOSTILE.runbook,
    file: 'runbooks/orders-db.yaml',
    description: HOSTILE.description,
    owner: HOSTILE.owner,
    labels: HOSTILE.labels,
    mode: 'drill',
    status: 'completed',
    verdict: 'met',
    startedAt: T,
    finishedAt: T + 8_500,
    attempts: 1,
    objectives: { rtoMs: 5_000, rpoMs: 1_000 },
    measurements: {
      faultStartedAt: T + 2_950,
      faultEndedAt: T + 3_050,
      outageStartAt: t0,
      outageObserved: true,
      recoveredAt: t1,
      rtoMs: 1_200,
      rtoResolutionMs: 100,
      acknowledgedWrites: 56,
      lostWrites: 0,
      rpoMs: 0,
      rpoIsLowerBound: false,
      rpoResolutionMs: 100,
      markersReadFrom: 'replica',
    },
    verdicts: [
      { objective: 'rto', targetMs: 5_000, measuredMs: 1_200, met: true, marginMs: 3_800 },
      { objective: 'rpo', targetMs: 1_000, measuredMs: 0, met: true, marginMs: 1_000 },
    ],
    steps: [
      { phase: 'fault', id: 'kill-primary', status: 'succeeded', attempts: 1, startedAt: T + 2_950, endedAt: T + 3_050, durationMs: 100, output: { pid: 4242, note: '</pre><script>window.__lifeboatPwned = 3</script>' }, description: HOSTILE.stepDescription },
      { phase: 'failover', id: 'promote', status: 'succeeded', attempts: 2, startedAt: T + 3_100, endedAt: T + 4_000, durationMs: 900 },
    ],
    cleanupErrors: [],
    timeline,
  };
}

/**
 * A split brain: the cut-off primary and the promoted replica both took writes; 7 acknowledged
 * writes are lost, the RPO (1.3 s, a lower bound) misses its 500 ms objective while the RTO is met.
 */
export function splitBrainRunResult(): RunResult {
  const base = metRunResult();
  const lostKeys = ['writes-1:13', 'writes-1:14', 'writes-1:15', 'writes-1:16', 'writes-1:17', 'writes-1:18', 'writes-1:19'];
  const timeline = base.timeline.map((e) => (e.kind === 'markers' ? { ...e, missing: lostKeys, splitBrain: ['primary', 'replica'] } : e));
  timeline.push({ t: T + 5_000, kind: 'mark', name: 'split-brain', detail: 'more than one endpoint accepts writes: primary, replica' });
  timeline.sort((a, b) => a.t - b.t);
  return {
    ...base,
    runId: '20261129-120000-split1',
    verdict: 'missed',
    objectives: { rtoMs: 5_000, rpoMs: 500 },
    measurements: {
      ...base.measurements,
      lostWrites: 7,
      rpoMs: 1_300,
      rpoIsLowerBound: true,
      splitBrain: ['primary', 'replica'],
      lostWriteSample: lostKeys.map((k, i) => ({ writer: 'writes-1', seq: Number(k.split(':')[1]), t: T + 2_200 + i * 100 })),
    },
    verdicts: [
      { objective: 'rto', targetMs: 5_000, measuredMs: 1_200, met: true, marginMs: 3_800 },
      { objective: 'rpo', targetMs: 500, measuredMs: 1_300, met: false, marginMs: -800, reason: 'a lower bound: no surviving write precedes the lost ones' },
    ],
    timeline,
  };
}

/**
 * A run interrupted during failover: the promote step started and never ended, the failover
 * phase never completed, no recovery; aborted, verdict incomplete, a cleanup error.
 */
export function incompleteRunResult(): RunResult {
  const base = metRunResult();
  const cut = T + 3_600;
  const timeline: TimelineEvent[] = [
    ...base.timeline.filter((e) => e.t < cut && !(e.kind === 'step' && e.stepId === 'promote' && e.status !== 'started')),
    { t: cut + 100, kind: 'run', status: 'aborted', detail: 'interrupted by SIGINT' },
  ];
  return {
    ...base,
    runId: '20261129-120000-inc001',
    status: 'aborted',
    verdict: 'incomplete',
    finishedAt: cut + 100,
    measurements: { faultStartedAt: T + 2_950, faultEndedAt: T + 3_050, outageStartAt: T + 3_000, outageObserved: true, acknowledgedWrites: 19 },
    verdicts: [
      { objective: 'rto', targetMs: 5_000, measuredMs: undefined, met: false, marginMs: undefined, reason: 'not recovered' },
      { objective: 'rpo', targetMs: 1_000, measuredMs: undefined, met: false, marginMs: undefined, reason: 'data loss not measured' },
    ],
    steps: [base.steps[0]!, { phase: 'failover', id: 'promote', status: 'started', attempts: 1, startedAt: T + 3_100 }],
    error: 'interrupted by SIGINT',
    cleanupErrors: ['teardown: port 5433 busy'],
    timeline,
  };
}

/** The sample result (a missed RTO, a failed step) under its own name, for symmetry in tests. */
export const missedRunResult = sampleRunResult;
