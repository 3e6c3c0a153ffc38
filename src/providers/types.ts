import type { z } from 'zod';
import type { Logger } from 'pino';
import type { Clock } from '../timeline/clock.js';
import type { TimelineEvent } from '../timeline/timeline-event.js';
import type { Lab, LabCapability } from '../lab/types.js';
import type { PgConfig } from '../util/pg-client.js';

/** The phases a step can live in. */
export type Phase = 'fault' | 'failover' | 'failback';

/** A resource as declared in the runbook (after `${env:...}` resolution when run). */
export interface ResourceRef {
  name: string;
  type: string;
  spec: Record<string, unknown>;
}

/**
 * What a resource can be used as, so that actions and probes ask for a capability rather than a
 * type name: `postgres` (a server the `postgres.*` actions and probes can connect to: a DSN, a
 * lab service, an RDS endpoint, a container), `lab-service` (a service of the runbook's lab).
 */
export type ResourceCapability = 'postgres' | 'lab-service';

/** What a resource type declares: its name, the schema of its fields (besides `type`), and how it is reached. */
export interface ResourceTypeDef {
  type: string;
  description: string;
  fields: z.ZodObject;
  /** Capability `postgres`: the connection settings of each host of the resource (tried in order). */
  postgres?(ref: ResourceRef, ctx: ProviderContext): PgConfig[];
  /** Capability `lab-service`: the field naming the lab service the resource stands for. */
  labServiceField?: string;
  /** Cross-field checks of the resource's fields, beyond their schema (e.g. exactly one of `id` or `tags`). */
  validate?(spec: Record<string, unknown>): Array<{ path: string; message: string }>;
  /** Capability `heartbeat`: `lifeboat heartbeat` can keep beats on this resource (a table, objects). */
  heartbeat?(ref: ResourceRef, ctx: ProviderContext, options: HeartbeatOptions): HeartbeatTarget;
}

/** Where and how long a heartbeat keeps its beats (the runbook's `heartbeat:` section). */
export interface HeartbeatOptions {
  /** The runbook's name: beats of several runbooks can share a target. */
  runbook: string;
  /** PostgreSQL: the table of beats. */
  table: string;
  /** Object stores: the key prefix of beats (the runbook name is appended). */
  prefix: string;
  /** Beats older than this are deleted from the target as new ones arrive. */
  retentionMs: number;
}

/**
 * A heartbeat's target. Each beat is an id, `seq` (strictly increasing: the epoch ms it was
 * sent), written durably; after a real failover the engine asks which acknowledged beats the
 * target (now the new primary) still has.
 */
export interface HeartbeatTarget {
  /** Where the beats go, for people (never a secret). */
  readonly label: string;
  /** Writes one beat; resolves once the target acknowledged it (committed, stored). */
  beat(seq: number, signal: AbortSignal): Promise<void>;
  /** Which of `seqs` exist on the target now. */
  present(seqs: readonly number[], signal: AbortSignal): Promise<Set<number>>;
  close(): Promise<void>;
}

/** Whether a resource type has a capability. */
export function hasCapability(def: ResourceTypeDef | undefined, capability: ResourceCapability): boolean {
  if (!def) return false;
  return capability === 'postgres' ? def.postgres !== undefined : def.labServiceField !== undefined;
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
  /** The definition of a resource type (how to reach it), from the run's registry. */
  resourceType(type: string): ResourceTypeDef | undefined;
  /** Appends an event to the run's timeline (and journal). */
  record(event: TimelineEvent): void;
  /** Per-provider settings from the command line, by provider name (e.g. `aws`: `--profile`, `--region`, `--allow-untagged`). */
  settings?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /**
   * The per-run state of any provider (what its `open` returned): lets a resource type of one
   * provider say how to reach it from another's probe (an RDS endpoint for the `postgres.*` probes).
   */
  sessionOf?(provider: string): unknown;
  /** Operator confirmations of `manual` steps (absent outside a run). */
  approvals?: Approvals;
}

/** An operator's confirmation of a `manual` step. */
export interface Approval {
  /** Who confirmed: `terminal` (typed at the run's terminal) or `approve:<user>` (`lifeboat approve`). */
  by: string;
  /** Wall-clock epoch ms of the confirmation. */
  at: number;
}

/** Where `manual` steps wait for an operator (the engine provides it). */
export interface Approvals {
  /** The approval of a step, if it was confirmed (also by an earlier attempt of the run). */
  find(stepId: string): Approval | undefined;
  /** Waits for the step's approval; rejects with the signal's reason (timeout, interruption). */
  wait(stepId: string, instructions: string, signal: AbortSignal): Promise<Approval>;
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
  /** The per-run state its provider's `open` returned (SDK clients, connections), if it has one. */
  session?: unknown;
}

/** Result of an action: free-form output stored with the step and visible to later steps. */
export type StepOutput = Record<string, unknown> | undefined;

/** What `isDone` may return instead of a boolean: whether the effect is in place, and the output the step would have had. */
export interface DoneCheck {
  done: boolean;
  output?: StepOutput;
}

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
  /** What the target must be able to do (checked by validation, whatever its type). */
  targetCapability?: ResourceCapability;
  /** What the lab service behind the target must be able to do (validation checks the runbook's lab driver). */
  labCapability?: LabCapability;
  /** Parameters given inline on the step. */
  params: z.ZodObject;
  /** Names of parameters whose value is a resource name (checked by validation). */
  resourceParams?: readonly string[];
  /**
   * Whether the action changes anything (plan marks it; the journal makes it durable first). A
   * function when it depends on the parameters (an HTTP GET does not mutate, a POST does).
   */
  mutates: boolean | ((params: Record<string, unknown>) => boolean);
  /** Cross-field checks of the parameters, beyond their schema; returns problems by parameter path. */
  validate?(params: P): Array<{ path: string; message: string }>;
  /** IAM permissions the action needs (its calls and its waiter's), for `lifeboat iam-policy`. */
  permissions?: readonly string[] | ((params: P) => readonly string[]);
  run(ctx: ActionContext, params: P): Promise<StepOutput>;
  /**
   * Used on resume for the step that was in flight at the crash: whether its effect is already
   * in place (e.g. "is the replica already promoted?"). Absent = re-run it. An action whose
   * output later steps use (the endpoint of a restored instance) returns `{ done: true, output }`:
   * the output is journaled with the `already-done` event, so a resumed run keeps it.
   */
  isDone?(ctx: ActionContext, params: P): Promise<boolean | DoneCheck>;
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
  /** The per-run state its provider's `open` returned, if it has one. */
  session?: unknown;
}

/** A probe type a runbook can name in `probes.<name>.type`. */
export interface ProbeDef<P extends Record<string, unknown> = Record<string, unknown>> {
  type: string;
  description: string;
  /** How the probe names what it checks: a `target`, a list of `endpoints`, or nothing. */
  targets: 'target' | 'endpoints' | 'none';
  targetTypes?: readonly string[];
  /** What each target must be able to do (checked by validation, whatever its type). */
  targetCapability?: ResourceCapability;
  /** Whether the probe measures writes (acknowledged markers, read back after recovery: lost writes, RPO). */
  measuresWrites?: boolean;
  params: z.ZodObject;
  /** Cross-field checks of the parameters, beyond their schema. */
  validate?(params: P): Array<{ path: string; message: string }>;
  /** IAM permissions the probe needs, for `lifeboat iam-policy`. */
  permissions?: readonly string[];
  create(ctx: ProbeContext, params: P): ProbeInstance;
}

/** A problem found by a provider's preflight: nothing has changed yet, and the run stops. */
export interface PreflightProblem {
  resource: string;
  message: string;
}

/** Per-run state of a provider (SDK clients, connections), closed when the run ends. */
export interface ProviderSession {
  /** What actions and probes of this provider see as `ctx.session`. */
  readonly state: unknown;
  close(): Promise<void>;
}

/** A step of the run as preflight sees it: which action will touch which resource, in which phase. */
export interface PreflightStep {
  phase: Phase;
  stepId: string;
  action: string;
  target?: string;
  params: Record<string, unknown>;
}

/** The runbook's `safety` section: resources a fault may touch without the allow tag, and that tag. */
export interface SafetySettings {
  allowUntagged: readonly string[];
  allowTag?: string;
}

/** What a preflight gets: the run's context, a signal bounding the checks, and the provider's session. */
export interface PreflightContext extends ProviderContext {
  signal: AbortSignal;
  session?: unknown;
  /** Every step the run will execute (compensations included), so preflight can check each action fits its target. */
  steps?: readonly PreflightStep[];
  safety?: SafetySettings;
}

/** A provider groups resource types, actions and probes of one technology. */
export interface Provider {
  name: string;
  resourceTypes: readonly ResourceTypeDef[];
  actions: readonly ActionDef<any>[];
  probes: readonly ProbeDef<any>[];
  /** Opens the provider's per-run state; called once per run, before preflight; closed at run end. */
  open?(ctx: ProviderContext): Promise<ProviderSession>;
  /**
   * Read-only checks of the provider's resources before anything mutates (they exist, credentials
   * work, endpoints answer). Called after the lab is up, before steady state.
   */
  preflight?(resources: readonly ResourceRef[], ctx: PreflightContext): Promise<PreflightProblem[]>;
  /** IAM permissions the preflight's read-only calls need for these resource types and steps, for `lifeboat iam-policy`. */
  preflightPermissions?(resourceTypes: readonly string[], steps: readonly PreflightStep[]): readonly string[];
}

/** The permissions a step of `def` with these parameters needs. */
export function actionPermissions(def: Pick<ActionDef, 'permissions'> | undefined, params: Record<string, unknown>): readonly string[] {
  if (!def?.permissions) return [];
  return typeof def.permissions === 'function' ? def.permissions(params) : def.permissions;
}

/** Whether a step of `def` with these parameters changes anything (unknown actions count as mutating). */
export function actionMutates(def: Pick<ActionDef, 'mutates'> | undefined, params: Record<string, unknown>): boolean {
  if (!def) return true;
  return typeof def.mutates === 'function' ? def.mutates(params) : def.mutates;
}
