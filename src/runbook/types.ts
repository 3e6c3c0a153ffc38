import type { LabServiceSpec } from '../lab/types.js';
import type { Phase } from '../providers/types.js';
import type { RetryPolicy } from './fields.js';

/** A step that runs one action. Action parameters sit beside the common fields. */
export interface ActionStep {
  id: string;
  action: string;
  description?: string;
  target?: string;
  timeout?: string;
  retry?: RetryPolicy;
  onFailure: 'abort' | 'continue';
  compensate?: ActionStep;
  [param: string]: unknown;
}

/** Steps started together. */
export interface ParallelGroup {
  id?: string;
  description?: string;
  parallel: ActionStep[];
}

export type PhaseItem = ActionStep | ParallelGroup;

/** A probe as declared: common fields plus the probe type's parameters. */
export interface ProbeSpec {
  type: string;
  interval: string;
  timeout: string;
  target?: string;
  endpoints?: string[];
  description?: string;
  [param: string]: unknown;
}

/** A resource as declared. */
export interface ResourceSpec {
  type: string;
  description?: string;
  [field: string]: unknown;
}

/** A validated runbook (the output of the schema, defaults applied). */
export interface Runbook {
  apiVersion: 'lifeboat/v1';
  kind: 'Runbook';
  name: string;
  description?: string;
  owner?: string;
  labels?: Record<string, string>;
  schedule?: string;
  objectives: { rto?: string; rpo?: string };
  lab?: { driver: 'process' | 'docker'; image?: string; pgBin?: string; services: Record<string, LabServiceSpec> };
  resources: Record<string, ResourceSpec>;
  probes: Record<string, ProbeSpec>;
  steadyState?: { timeout: string; stableFor: string };
  recovery?: { all: string[]; stableFor: string; timeout: string };
  stopWhen?: string[];
  heartbeat?: { target: string; interval: string; table: string; prefix: string; retention: string };
  /** Blast-radius guard for cloud faults. */
  safety?: { allowUntagged: string[]; allowTag: string };
  fault: PhaseItem[];
  failover: PhaseItem[];
  failback: PhaseItem[];
}

/** A runbook together with where it came from. */
export interface LoadedRunbook {
  file: string;
  /** The exact text loaded (journaled so that `resume` runs the same runbook). */
  text: string;
  runbook: Runbook;
}

export const PHASES: readonly Phase[] = ['fault', 'failover', 'failback'];

/** Whether a phase item is a parallel group. */
export function isParallel(item: PhaseItem): item is ParallelGroup {
  return Array.isArray((item as ParallelGroup).parallel);
}
