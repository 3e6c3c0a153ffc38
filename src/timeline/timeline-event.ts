/** Everything a run observed, in order. Every `t` is epoch milliseconds from the run's clock. */
export type TimelineEvent =
  | { t: number; kind: 'run'; status: 'started' | 'resumed' | 'succeeded' | 'failed' | 'aborted' | 'stopped'; detail?: string }
  | { t: number; kind: 'phase'; phase: string; status: 'started' | 'completed' | 'failed' | 'skipped' }
  | {
      t: number;
      kind: 'step';
      phase: string;
      stepId: string;
      status: 'started' | 'succeeded' | 'failed' | 'retrying' | 'skipped' | 'already-done' | 'compensated';
      attempt?: number;
      error?: string;
      output?: unknown;
    }
  | ProbeSample
  | WriteAck
  | { t: number; kind: 'mark'; name: MarkName; detail?: string }
  | MarkersRead
  | HeartbeatRead;

/**
 * After a real failover: which heartbeat beats acknowledged before it (`lifeboat heartbeat`'s
 * local records) are present on the target now. Journaled with the figures derived from it.
 */
export interface HeartbeatRead {
  t: number;
  kind: 'heartbeat';
  /** The heartbeat's target resource, and where it was read (no secret). */
  target: string;
  readFrom?: string;
  acknowledged: number;
  lost: number;
  /** Ack time of the newest acknowledged beat, and of the newest one present on the target. */
  newestAckedAt?: number;
  newestPresentAt?: number;
  rpoMs?: number;
  rpoIsLowerBound?: boolean;
  /** Why the heartbeat gave no RPO (unreadable target, no beat before the incident). */
  notMeasured?: string;
}

/**
 * What one writes probe found after recovery: which of its acknowledged markers are missing on
 * the endpoint that now accepts writes. Journaled, so that a resume after teardown can still
 * measure the data loss without a server.
 */
export interface MarkersRead {
  t: number;
  kind: 'markers';
  probe: string;
  endpoint: string;
  /** markerKeys of acknowledged writes not found. */
  missing: string[];
  /** Endpoints that all accepted writes (split brain), if more than one. */
  splitBrain?: string[];
}

/**
 * Named instants of a run. `outage-start` is t0 of the verifier; `fault-prepared`: the fault
 * steps so far only prepared the fault (a backup taken while writes flow), so the outage is
 * searched for from here; `restored`: a backup was restored, so the RPO is the age of the
 * restored data (t0 − newest write present); `stopped`: a stop condition tripped.
 */
export type MarkName = 'steady-state' | 'outage-start' | 'failover-done' | 'recovered' | 'recovery-timeout' | 'lab-replaced' | 'split-brain' | 'fault-prepared' | 'restored' | 'stopped';

/** One probe check: started at `start`, result known at `t`. */
export interface ProbeSample {
  t: number;
  kind: 'probe';
  probe: string;
  start: number;
  ok: boolean;
  endpoint?: string;
  error?: string;
  /** A stand-in for the checks nobody made while the runner was down (between a crash and its resume). */
  unobserved?: true;
}

/** A write marker whose commit returned: `t` is the instant the acknowledgement arrived. */
export interface WriteAck {
  t: number;
  kind: 'write-ack';
  probe: string;
  writer: string;
  seq: number;
  endpoint: string;
}

/** The identity of a write marker, as stored and as read back: `writer:seq`. */
export function markerKey(writer: string, seq: number): string {
  return `${writer}:${seq}`;
}
