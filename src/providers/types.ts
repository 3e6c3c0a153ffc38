import type { z } from 'zod';
import type { Logger } from 'pino';
import type { Clock } from '../engine/clock.js';
import type { TimelineEvent } from '../engine/timeline.js';
import type { Lab } from '../lab/types.js';

/** The phases a step can live in. */
export type Phase = 'fault' | 'failover' | 'failback';

/** A resource as declared in the runbook (after `${env:...}` resolution when run). */
export interface ResourceRef {
  name: string;
  type: string;
  spec: Record<string, unknown>;
}

/** What a resource type declares: its name and the schema of its fields (besides `type`). */
export interface ResourceTypeDef {
  type: string;
  description: string;
  fields: z.ZodObject;
}

/** What every action and probe gets to work with. */
export interface ProviderContext {
  runId: string;
  clock: Clock;
  log: Logger;
  /** The lab of this run, when the runbook has one and it is up. */
  lab?: Lab;
  /** Looks up a resource by name (resolved). Throws InvalidInputError for unknown names. */
  resource(name: string): ResourceRef;
  /** Appends an event to the run's timeline (and journal). */
  record(event: TimelineEvent): void;
}

/** What an action gets for one step attempt. */
export interface ActionContext extends ProviderContext {
  stepId: string;
  phase: Phase;
  /** Aborted on timeout or interruption; actions must honour it. */
  signal: AbortSignal;
  /** The step's target resource, if it names one. */
  target?: ResourceRef;
  /** Outputs of steps that already completed, by step id. */
  outputs: Record<string, unknown>;
}

/** Result of an action: free-form output stored with the step and visible to later steps. */
export type StepOutput = Record<string, unknown> | undefined;

/** An action a step can name in `action:`. */
export interface ActionDef<P extends Record<string, unknown> = Record<string, unknown>> {
  name: string;
  description: string;
  /** Phases the action may appear in (a fault action only under `fault`). */
  phases: readonly Phase[];
  /** Whether a step must, may or must not name a target. */
  target: 'required' | 'optional' | 'none';
  /** Resource types accepted as target; undefined = any. */
  targetTypes?: readonly string[];
  /** Parameters given inline on the step. */
  params: z.ZodObject;
  /** Names of parameters whose value is a resource name (checked by validation). */
  resourceParams?: readonly string[];
  /** Whether the action changes anything (plan marks it; the journal makes it durable first). */
  mutates: boolean;
  /** Cross-field checks of the parameters, beyond their schema; returns problems by parameter path. */
  validate?(params: P): Array<{ path: string; message: string }>;
  run(ctx: ActionContext, params: P): Promise<StepOutput>;
  /**
   * Used on resume for the step that was in flight at the crash: whether its effect is already
   * in place (e.g. "is the replica already promoted?"). Absent = re-run it.
   */
  isDone?(ctx: ActionContext, params: P): Promise<boolean>;
}

/** A probe's single check result. Expected failures are values, not exceptions. */
export interface ProbeResult {
  ok: boolean;
  error?: string;
  endpoint?: string;
}

/** A running probe. `check` must honour its signal: a paused server makes clients hang. */
export interface ProbeInstance {
  check(signal: AbortSignal): Promise<ProbeResult>;
  close(): Promise<void>;
  /**
   * Write-marker probes only: reads which markers of this run exist on the endpoint that now
   * accepts writes (keys `${writer}:${seq}`), for the data-loss measurement.
   */
  readSurvivingMarkers?(signal: AbortSignal): Promise<{ endpoint: string; keys: Set<string>; splitBrain?: string[] }>;
}

/** What a probe gets when it is created. */
export interface ProbeContext extends ProviderContext {
  probeName: string;
  /** Resources named by the probe (`target` or `endpoints`). */
  endpoints: ResourceRef[];
  /** Run attempt (1 for the first process, +1 per resume) — used to keep write markers unique. */
  attempt: number;
}

/** A probe type a runbook can name in `probes.<name>.type`. */
export interface ProbeDef<P extends Record<string, unknown> = Record<string, unknown>> {
  type: string;
  description: string;
  /** How the probe names what it checks: a `target`, a list of `endpoints`, or nothing. */
  targets: 'target' | 'endpoints' | 'none';
  targetTypes?: readonly string[];
  params: z.ZodObject;
  /** Cross-field checks of the parameters, beyond their schema. */
  validate?(params: P): Array<{ path: string; message: string }>;
  create(ctx: ProbeContext, params: P): ProbeInstance;
}

/** A provider groups resource types, actions and probes of one technology. */
export interface Provider {
  name: string;
  resourceTypes: readonly ResourceTypeDef[];
  actions: readonly ActionDef<any>[];
  probes: readonly ProbeDef<any>[];
}
