import type { RunResult } from '../../verify/run-result.js';

/**
 * A small but complete drill result for report tests: every section has content, and the
 * failed step's error holds a `|`, which Markdown tables must escape.
 */
export function sampleRunResult(): RunResult {
  const t0 = Date.UTC(2025, 0, 2, 3, 4, 5);
  return {
    runId: 'run-20250102-030405-abcd',
    runbook: 'pg-failover',
    file: 'runbooks/pg-failover.yaml',
    mode: 'drill',
    status: 'failed',
    verdict: 'missed',
    startedAt: t0,
    finishedAt: t0 + 12_500,
    attempts: 1,
    objectives: { rtoMs: 5_000, rpoMs: 0 },
    measurements: {
      outageStartAt: t0 + 2_000,
      recoveredAt: t0 + 9_000,
      rtoMs: 7_000,
      rtoResolutionMs: 250,
      acknowledgedWrites: 40,
      lostWrites: 2,
      rpoMs: 500,
      rpoIsLowerBound: false,
      markersReadFrom: 'replica',
    },
    verdicts: [
      { objective: 'rto', targetMs: 5_000, measuredMs: 7_000, met: false, marginMs: -2_000 },
      { objective: 'rpo', targetMs: 0, measuredMs: undefined, met: false, marginMs: undefined, reason: 'markers | unreadable' },
    ],
    steps: [
      { phase: 'fault', id: 'kill-primary', status: 'succeeded', attempts: 1, startedAt: t0 + 1_000, endedAt: t0 + 2_000, durationMs: 1_000, output: { pid: 4242 } },
      { phase: 'failover', id: 'promote', status: 'failed', attempts: 3, startedAt: t0 + 2_000, endedAt: t0 + 9_500, durationMs: 7_500, error: 'pg_ctl: exit 1 | server not\nready' },
    ],
    error: 'step promote failed',
    cleanupErrors: ['teardown: port 5433 busy'],
    timeline: [
      { t: t0, kind: 'run', status: 'started' },
      { t: t0 + 1_000, kind: 'phase', phase: 'fault', status: 'started' },
      { t: t0 + 2_000, kind: 'mark', name: 'outage-start' },
      { t: t0 + 2_500, kind: 'probe', probe: 'db', start: t0 + 2_250, ok: false, error: 'connection refused' },
      { t: t0 + 3_000, kind: 'write-ack', probe: 'writes', writer: 'w1', seq: 7, endpoint: 'primary' },
      { t: t0 + 9_000, kind: 'mark', name: 'recovered' },
      { t: t0 + 12_500, kind: 'run', status: 'failed', detail: 'step promote failed' },
    ],
  };
}
