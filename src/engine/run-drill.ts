import { join } from 'node:path';
import type { Logger } from 'pino';
import { AbortedError, InfrastructureError, InternalError, InvalidInputError, messageOf } from '../errors.js';
import type { Lab } from '../lab/types.js';
import { redactText, registerSecrets } from '../log.js';
import { redactRunbookText } from '../util/redact-runbook.js';
import type { Registry } from '../providers/registry.js';
import type { Approval, ProviderContext, ResourceRef } from '../providers/types.js';
import type { LoadedRunbook, Runbook } from '../runbook/types.js';
import { createClock, type Clock } from '../timeline/clock.js';
import { markerKey, type ProbeSample, type TimelineEvent } from '../timeline/timeline-event.js';
import { formatDuration, ms } from '../util/duration.js';
import { countedAcks, measure, outageSearchStart, recoverySamples, recoveryState } from '../verify/measure.js';
import { findRecovery, undecidedBy } from '../verify/recovery.js';
import { summariseSteps, type RunMode, type RunResult, type RunStatus } from '../verify/run-result.js';
import { awaitCondition } from './await-condition.js';
import { StepExecutor, type PhaseOutcome } from './executor.js';
import { envRefs, referencedEnvValues, resolveRefs } from './interpolate.js';
import { Journal } from './journal.js';
import { startLabSession } from './lab-session.js';
import { planRun, type PlannedPhase } from './plan.js';
import { preflightScope, ProviderSessions, providersUsedBy } from './provider-sessions.js';
import { phaseStatus, priorSteps, type ResumeState } from './resume-state.js';
import { newRunId } from './run-id.js';
import { acquireRunLock } from './run-lock.js';
import { runbookAbout, withStepDescriptions } from './run-about.js';
import { findApproval, waitForApproval } from './approvals.js';
import { readHeartbeat } from './heartbeat.js';
import { liveResource, usesStepOutputs } from './live-resource.js';
import { StopConditions } from './stop-conditions.js';
import { createRunProbes, type RunProbes } from './run-probes.js';

export type { ResumeState } from './resume-state.js';
export { newRunId } from './run-id.js';

export interface RunOptions {
  loaded: LoadedRunbook;
  stateDir: string;
  log: Logger;
  /** Every action, probe, resource type and lab driver the run may use (the CLI composes it). */
  registry: Registry;
  mode?: RunMode;
  /** Interruption: aborts the current step; failback and teardown still run. */
  signal?: AbortSignal;
  /** A second interruption: aborts the cleanup too. */
  cleanupSignal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** Progress lines for people (a TTY). */
  progress?: (line: string) => void;
  resume?: ResumeState;
  /** Called once the run id is known and its journal exists. */
  onStart?: (runId: string) => void;
  /** Called with every timeline event as it is recorded. */
  onEvent?: (event: TimelineEvent) => void;
  /** Failover mode: when the incident began (epoch ms), t0 of the RTO; default the run's start. */
  incidentStart?: number;
  /** Asks the operator at this terminal to confirm a `manual` step (given when stdin is a TTY). */
  askOperator?: (stepId: string, instructions: string, signal: AbortSignal) => Promise<Approval>;
  /** Per-provider settings from the command line (e.g. `aws`: profile, region, allowUntagged), seen by providers as `ctx.settings`. */
  settings?: ProviderContext['settings'];
  /**
   * Preflight and plan only (`--dry-run`): providers open, read-only preflight, no lab, no probe,
   * no step. Run by `dryRunDrill` (engine/dry-run.ts); `runDrill` refuses it.
   */
  dryRun?: boolean;
}

const DEFAULT_STEADY_STATE_MS = 30_000;
const DEFAULT_STEADY_STABLE_MS = 1_000;
/** Write acknowledgements are fsynced in batches at most this far apart. */
const ACK_SYNC_MS = 100;

/** Checks every `${env:...}` the runbook uses before anything starts. */
export function checkEnvironment(runbook: Runbook, env: NodeJS.ProcessEnv): void {
  const missing = envRefs({ resources: runbook.resources, probes: runbook.probes, fault: runbook.fault, failover: runbook.failover, failback: runbook.failback }).filter(
    (n) => env[n] === undefined,
  );
  if (missing.length) throw new InvalidInputError(`environment variables used by the runbook are not set: ${missing.join(', ')}`);
}

/**
 * Runs a drill (or the failover part of a runbook) end to end: lab up, preflight, probes, steady
 * state, fault, failover, recovery detection, data-loss reading, failback, lab down,
 * measurements. Runs exactly the steps `planRun` lists. Never throws for a failed or interrupted
 * run: the result says how it ended. Throws only for problems found before anything started
 * (missing env variables, a held lock).
 */
export async function runDrill(opts: RunOptions): Promise<RunResult> {
  const { loaded, log, registry } = opts;
  const runbook = loaded.runbook;
  const env = opts.env ?? process.env;
  const mode = opts.mode ?? 'drill';
  const signal = opts.signal ?? new AbortController().signal;
  const cleanupSignal = opts.cleanupSignal ?? new AbortController().signal;
  const progress = opts.progress ?? (() => {});
  if (opts.dryRun) throw new InternalError('a dry run is run by dryRunDrill, never by runDrill');
  checkEnvironment(runbook, env);
  // Every value the runbook takes from the environment is masked wherever text leaves Lifeboat.
  registerSecrets(referencedEnvValues(runbook, env));
  const plan = planRun(runbook, mode, registry);
  const planned = (phase: PlannedPhase['phase']) => plan.phases.find((p) => p.phase === phase)!;

  const clock: Clock = createClock();
  const runId = opts.resume?.runId ?? newRunId();
  const attempt = opts.resume?.attempt ?? 1;
  const startedAt = opts.resume?.startedAt ?? clock.now();
  const runDir = join(opts.stateDir, 'runs', runId);
  const releaseLock = acquireRunLock(opts.stateDir, runbook.name, runId);
  let journal: Journal;
  try {
    journal = new Journal(join(runDir, 'journal.jsonl'));
  } catch (err) {
    releaseLock();
    throw new InfrastructureError(`cannot write the journal in ${runDir}: ${messageOf(err)}`, { cause: err });
  }
  journal.onError = (err) => log.error({ err: messageOf(err) }, 'cannot write the journal');
  const timeline: TimelineEvent[] = opts.resume ? [...opts.resume.timeline] : [];
  // A write acknowledgement counts only once it is on disk in the journal: a crash must not
  // forget an ack that was counted, or count one that was not kept. Acks wait here until the next
  // sync (at most ACK_SYNC_MS later, or any durable entry before that).
  let pendingAcks: TimelineEvent[] = [];
  let ackTimer: NodeJS.Timeout | undefined;
  const syncAcks = () => {
    clearTimeout(ackTimer);
    ackTimer = undefined;
    if (pendingAcks.length === 0) return;
    try {
      journal.flush(true);
    } catch (err) {
      // Not on disk: these acks do not count (reported once by the journal's error handler).
      journal.onError?.(err);
      return;
    }
    const synced = pendingAcks;
    pendingAcks = [];
    for (const e of synced) {
      timeline.push(e);
      opts.onEvent?.(e);
    }
  };
  const record = (event: TimelineEvent, durable = false) => {
    if (event.kind === 'write-ack') {
      journal.append({ type: 'event', event }, false);
      pendingAcks.push(event);
      ackTimer ??= setTimeout(syncAcks, ACK_SYNC_MS);
      return;
    }
    timeline.push(event);
    journal.append({ type: 'event', event }, durable);
    if (durable) syncAcks();
    opts.onEvent?.(event);
  };
  try {
    if (!opts.resume) journal.append({ type: 'header', runId, file: loaded.file, text: redactRunbookText(loaded.text), mode, startedAt }, true);
    journal.append({ type: 'attempt', attempt, pid: process.pid, t: clock.now() }, true);
    record({ t: clock.now(), kind: 'run', status: opts.resume ? 'resumed' : 'started' }, true);
    // A real incident's t0 is journaled first, so a resumed run measures from the same instant.
    if (mode === 'failover' && !timeline.some((e) => e.kind === 'mark' && e.name === 'outage-start'))
      record({ t: opts.incidentStart ?? startedAt, kind: 'mark', name: 'outage-start', ...(opts.incidentStart !== undefined ? { detail: 'incident start (--incident-start)' } : {}) }, true);
    opts.onStart?.(runId);
  } catch (err) {
    // Nothing has started yet: give the lock back rather than leave it to a dead pid.
    try {
      journal.close();
    } catch {
      /* the journal is what failed */
    }
    releaseLock();
    throw err;
  }
  const rlog = log.child({ runId, runbook: runbook.name });

  let lab: Lab | undefined;
  const resource = (name: string): ResourceRef => {
    const spec = Object.hasOwn(runbook.resources, name) ? runbook.resources[name] : undefined;
    if (!spec) throw new InvalidInputError(`no resource named ${name}`);
    // A resource that uses a step's output is resolved on every use (see live-resource.ts).
    if (usesStepOutputs(spec)) return liveResource(name, spec, () => ({ env, outputs: executor.outputs }));
    const { type, ...rest } = resolveRefs(spec, { env }, `resource ${name}`);
    return { name, type, spec: rest };
  };
  const context: ProviderContext = {
    runId,
    clock,
    log: rlog,
    get lab() {
      return lab;
    },
    resource,
    resourceType: (type) => registry.resourceType(type),
    record: (e) => record(e),
    approvals: {
      find: (stepId) => findApproval(runDir, stepId),
      wait: (stepId, instructions, s) => {
        rlog.warn({ step: stepId, instructions }, `manual step waiting for an operator: type the confirmation at the run's terminal, or run: lifeboat approve ${runId} ${stepId}`);
        progress(`  ⏸ ${stepId}: ${redactText(instructions)}\n    waiting for confirmation (or from another shell: lifeboat approve ${runId} ${stepId})`);
        const ask = opts.askOperator;
        return waitForApproval(runDir, stepId, s, ask ? (sig) => ask(stepId, instructions, sig) : undefined);
      },
    },
    ...(opts.settings ? { settings: opts.settings } : {}),
    sessionOf: (provider) => sessions.state(provider),
  };
  const sessions = new ProviderSessions(providersUsedBy(runbook, registry), rlog);
  // stopWhen: a failing guard probe during the fault or failover phase stops the run.
  const stops = new StopConditions(runbook.stopWhen ?? [], signal);

  const executor = new StepExecutor({
    registry,
    context,
    env,
    record,
    prior: opts.resume ? priorSteps(timeline) : undefined,
    session: (provider) => sessions.state(provider),
    onStep: (e) => {
      if (e.status === 'started') progress(`  ▶ ${e.phase}/${e.stepId}`);
      else if (e.status === 'succeeded' || e.status === 'already-done') progress(`  ✔ ${e.phase}/${e.stepId}${e.status === 'already-done' ? ' (already done before the resume)' : ''}`);
      else if (e.status === 'skipped') progress(`  · ${e.phase}/${e.stepId} (completed before the resume)`);
      else if (e.status === 'failed') progress(`  ✘ ${e.phase}/${e.stepId}: ${redactText(e.error ?? '')}`);
      else if (e.status === 'retrying') progress(`  ↻ ${e.phase}/${e.stepId}: ${redactText(e.error ?? '')}`);
    },
  });

  const runPhase = async (phase: PlannedPhase['phase'], s: AbortSignal): Promise<PhaseOutcome> => {
    const prior = phaseStatus(timeline, phase);
    if (prior === 'completed') return { ok: true };
    if (prior === 'failed') return { ok: false, error: new InfrastructureError(`phase ${phase} failed before the resume`) };
    if (planned(phase).steps.length) progress(`${phase}:`);
    record({ t: clock.now(), kind: 'phase', phase, status: 'started' }, true);
    // A failed phase is journaled before its compensations run: a resume must not re-run the
    // failed step on top of steps already undone.
    const outcome = await executor.runPhase(planned(phase), s, cleanupSignal, () => record({ t: clock.now(), kind: 'phase', phase, status: 'failed' }, true));
    if (outcome.ok) record({ t: clock.now(), kind: 'phase', phase, status: 'completed' }, true);
    return outcome;
  };
  const mark = (name: Extract<TimelineEvent, { kind: 'mark' }>['name'], detail?: string) =>
    record({ t: clock.now(), kind: 'mark', name, ...(detail ? { detail } : {}) }, true);

  const recoveryProbes = runbook.recovery?.all ?? [];
  const stableForMs = runbook.recovery ? ms(runbook.recovery.stableFor) : 0;
  const probeNames = Object.keys(runbook.probes);
  const samples = (since: number): ProbeSample[] => recoverySamples(timeline, recoveryProbes.length ? recoveryProbes : probeNames, since);
  const writesIntervals = probeNames.filter((n) => registry.probe(runbook.probes[n]!.type)?.measuresWrites).map((n) => ms(runbook.probes[n]!.interval));

  let status: RunStatus = 'completed';
  let error: string | undefined;
  const cleanupErrors: string[] = [];
  let probes: RunProbes | undefined;
  let faultBegan = phaseStatus(timeline, 'fault') !== undefined;

  try {
    if (runbook.lab && mode === 'drill') {
      progress(opts.resume?.lab && faultBegan ? 'lab: re-adopting the running lab' : `lab: starting ${Object.keys(runbook.lab.services).join(', ')}`);
      const started = await startLabSession({
        runbook,
        registry,
        resumedLab: opts.resume?.lab,
        faultBegan,
        runId,
        signal,
        log: rlog,
        onStateChange: (state) => journal.append({ type: 'lab', state }, true),
      });
      lab = started.lab;
      // A half-started lab of a crashed attempt was replaced: its write markers are gone with it.
      if (started.replaced) mark('lab-replaced');
      journal.append({ type: 'lab', state: lab.state() }, true);
    }

    await sessions.open(context);
    if (!faultBegan) await runPreflight();

    probes = createRunProbes({
      runbook,
      registry,
      context,
      env,
      attempt,
      clock,
      log: rlog,
      resource,
      session: (provider) => sessions.state(provider),
      onSample: (s) => {
        record(s);
        const reason = stops.observe(s);
        if (reason) mark('stopped', redactText(reason));
      },
    });
    probes.scheduler.start();

    if (!faultBegan && mode === 'drill') {
      await awaitSteadyState(probes.writeProbes);
      mark('steady-state');
    }

    stops.open(clock.now());
    if (mode === 'drill') {
      faultBegan = true;
      const fault = await runPhase('fault', stops.signal);
      if (!fault.ok) throw fault.error!;
    }
    // In a real failover the incident is the outage: it began when the command started. In a
    // drill t0 is observed, from the probes (see verify/measure.ts), never assumed.
    if (mode === 'failover' && !timeline.some((e) => e.kind === 'mark' && e.name === 'outage-start')) {
      record({ t: startedAt, kind: 'mark', name: 'outage-start' }, true);
    }

    const failover = await runPhase('failover', stops.signal);
    stops.close();
    if (!failover.ok) throw failover.error!;
    mark('failover-done');

    if (recoveryProbes.length) await awaitRecovery(probes);

    rlog.debug('stopping probes');
    await probes.scheduler.stop();
    syncAcks();
    rlog.debug('probes stopped; reading surviving write markers');
    await readSurvivors(probes);
    if (mode === 'failover' && !timeline.some((e) => e.kind === 'heartbeat')) {
      // The RPO of a real failover, from `lifeboat heartbeat`'s acknowledged beats (if any ran).
      const t0 = outageSearchStart(timeline, mode) ?? startedAt;
      const hb = await readHeartbeat({ runbook, registry, context, stateDir: opts.stateDir, outageStart: t0, signal });
      if (hb) record(hb, true);
    }
  } catch (err) {
    status = signal.aborted || err instanceof AbortedError ? 'aborted' : 'failed';
    error = messageOf(signal.aborted ? signal.reason : err);
    if (stops.tripped && !signal.aborted) {
      status = 'stopped';
      error = messageOf(stops.signal.reason);
    }
    rlog.error({ err: error }, 'run did not complete');
    progress(`${status}: ${redactText(error)}`);
  } finally {
    await probes?.scheduler.close().catch(() => {});
    syncAcks();
    rlog.debug('probes closed');
    for (const i of probes?.instances.values() ?? []) await i.close().catch(() => {});
    if (mode === 'drill' && faultBegan && runbook.failback.length) {
      const fb = await runPhase('failback', cleanupSignal).catch((e: Error) => ({ ok: false, error: e }));
      if (!fb.ok) {
        cleanupErrors.push(`failback: ${messageOf(fb.error)}`);
        if (status === 'completed') {
          status = 'failed';
          error = `failback failed: ${messageOf(fb.error)}`;
        }
      }
    }
    await sessions.close();
    if (lab) {
      progress('lab: tearing down');
      rlog.debug('tearing the lab down');
      await lab.teardown().catch((e: unknown) => cleanupErrors.push(`teardown: ${messageOf(e)}`));
    }
  }
  // An interruption during failback or teardown lets them finish, but the run did not end as planned.
  if (signal.aborted || cleanupSignal.aborted) {
    if (status !== 'aborted') error = messageOf((cleanupSignal.aborted ? cleanupSignal : signal).reason);
    status = 'aborted';
  }

  const objectives = {
    ...(runbook.objectives.rto ? { rtoMs: ms(runbook.objectives.rto) } : {}),
    ...(runbook.objectives.rpo ? { rpoMs: ms(runbook.objectives.rpo) } : {}),
  };
  const m = measure({
    timeline,
    recoveryProbes,
    stableForMs,
    mode,
    objectives,
    ...(writesIntervals.length ? { writesIntervalMs: Math.max(...writesIntervals) } : {}),
  });
  const finishedAt = clock.now();
  try {
    record({ t: finishedAt, kind: 'run', status: status === 'completed' ? 'succeeded' : status === 'aborted' || status === 'stopped' ? status : 'failed', ...(error ? { detail: redactText(error) } : {}) }, true);
    journal.append({ type: 'finished', t: finishedAt, status }, true);
  } finally {
    // A journal that cannot be written (a full disk) fails the run as infrastructure, but never
    // keeps the lock: nothing runs any more.
    try {
      journal.close();
    } catch {
      /* the append above already says why */
    }
    releaseLock();
  }

  return {
    runId,
    runbook: runbook.name,
    file: loaded.file,
    ...runbookAbout(runbook),
    mode,
    status,
    verdict: status !== 'completed' ? 'incomplete' : m.met ? 'met' : 'missed',
    startedAt,
    finishedAt,
    attempts: attempt,
    objectives,
    measurements: m.measurements,
    verdicts: m.verdicts,
    steps: withStepDescriptions(summariseSteps(timeline), runbook),
    ...(error ? { error: redactText(error) } : {}),
    cleanupErrors: cleanupErrors.map(redactText),
    timeline,
  };

  /**
   * Read-only checks of every provider's resources before anything mutates. In a drill a problem
   * stops the run; in a real incident the primary is expected not to answer, so problems are
   * only reported.
   */
  async function runPreflight(): Promise<void> {
    // A resource that uses a step's output does not exist yet (a restored instance): not checked.
    const resources = Object.keys(runbook.resources).filter((n) => !usesStepOutputs(runbook.resources[n]!)).map(resource);
    const problems = await sessions.preflight(resources, context, registry, signal, preflightScope(runbook, plan));
    const text = problems.map((p) => `${p.resource}: ${p.message}`).join('; ');
    if (problems.length === 0) return;
    if (mode === 'drill') throw new InfrastructureError(`preflight: ${text}`);
    rlog.warn({ problems: problems.map((p) => ({ ...p, message: redactText(p.message) })) }, 'preflight problems (going on: a failover runs during an outage)');
    progress(`preflight: ${redactText(text)}`);
  }

  /**
   * Waits for steady state: every recovery probe and every writes probe healthy, and every writes
   * probe acknowledging writes, continuously for `steadyState.stableFor` — so that an outage and a
   * data loss have something to be measured against.
   */
  async function awaitSteadyState(writeProbes: readonly string[]): Promise<void> {
    const watched = [...new Set([...(recoveryProbes.length ? recoveryProbes : probeNames), ...writeProbes])];
    if (!watched.length) return;
    const stable = runbook.steadyState ? ms(runbook.steadyState.stableFor) : DEFAULT_STEADY_STABLE_MS;
    progress(`steady state: waiting for ${watched.join(', ')} to hold for ${formatDuration(stable)}`);
    const from = clock.now();
    const timeoutMs = runbook.steadyState ? ms(runbook.steadyState.timeout) : DEFAULT_STEADY_STATE_MS;
    const reached = await awaitCondition({
      condition: () => {
        const r = findRecovery({ samples: samples(from), probes: watched, t0: from, stableForMs: stable });
        if (r.recoveredAt === undefined || undecidedBy(r.recoveredAt, stable, probes!.scheduler.pendingStarts(watched))) return undefined;
        // Acknowledged (on disk) writes inside the stable window, from every writes probe.
        const acked = writeProbes.every((p) => countedAcks(timeline).some((e) => e.probe === p && e.t >= r.recoveredAt!));
        return acked ? true : undefined;
      },
      now: () => clock.now(),
      deadline: from + timeoutMs,
      signal,
    });
    if (!reached.done) {
      const last = samples(from).filter((s) => !s.ok).at(-1);
      throw new InfrastructureError(`steady state not reached within ${runbook.steadyState?.timeout ?? '30s'}${last ? `: ${last.probe}: ${last.error}` : ''}`);
    }
  }

  /**
   * Waits until the recovery condition holds (stableFor included, every check started in the
   * window finished), or its deadline: `recovery.timeout` after the outage search began. The
   * service is watched for at least `stableFor` after the failover phase ended, whatever the
   * timeline showed before: an outage that begins after a fault step returned, or a split brain
   * after a promotion, must be seen.
   */
  async function awaitRecovery(p: RunProbes): Promise<void> {
    const from = outageSearchStart(timeline, mode) ?? clock.now();
    const watchUntil = clock.now() + stableForMs;
    // Recovery that begins just before the deadline still needs stableFor (and a check) to be confirmed.
    const maxProbeTimeout = Math.max(0, ...recoveryProbes.map((n) => ms(runbook.probes[n]!.timeout)));
    const recovered = await awaitCondition({
      condition: () => {
        if (clock.now() < watchUntil) return undefined;
        const r = recoveryState(timeline, recoveryProbes, stableForMs, from, mode);
        if (r.recoveredAt === undefined || undecidedBy(r.recoveredAt, stableForMs, p.scheduler.pendingStarts(recoveryProbes))) return undefined;
        return r;
      },
      now: () => clock.now(),
      deadline: from + ms(runbook.recovery!.timeout) + stableForMs + maxProbeTimeout,
      signal,
    });
    if (recovered.done) progress(recovered.value.outageObserved ? `recovered (RTO ${Math.round(recovered.value.rtoMs!)} ms)` : 'no outage observed: every recovery check after the fault succeeded');
    else {
      mark('recovery-timeout', `not recovered within ${runbook.recovery!.timeout}`);
      progress(`not recovered within ${runbook.recovery!.timeout}`);
    }
  }

  /**
   * Reads, for each writes probe, which of its acknowledged markers survived on the endpoint that
   * now accepts writes, and journals what is missing (a resume after teardown then needs no
   * server). Probes whose reading is already journaled are not read again.
   */
  async function readSurvivors(p: RunProbes): Promise<void> {
    const done = new Set(timeline.filter((e) => e.kind === 'markers').map((e) => (e as { probe: string }).probe));
    for (const name of p.writeProbes) {
      const instance = p.instances.get(name)!;
      if (done.has(name) || !instance.readSurvivingMarkers) continue;
      const ac = AbortSignal.any([signal, AbortSignal.timeout(15_000)]);
      let found: Awaited<ReturnType<NonNullable<typeof instance.readSurvivingMarkers>>>;
      try {
        found = await instance.readSurvivingMarkers(ac);
      } catch (err) {
        if (signal.aborted) throw err;
        throw new InfrastructureError(`data loss not measured: could not read the surviving write markers of ${name}: ${messageOf(err)}`, { cause: err });
      }
      if (found.splitBrain) {
        mark('split-brain', `more than one endpoint accepts writes: ${found.splitBrain.join(', ')}; markers of ${name} read from ${found.endpoint}`);
        progress(`SPLIT BRAIN: ${found.splitBrain.join(', ')} accept writes`);
      }
      const acked = countedAcks(timeline).filter((a) => a.probe === name);
      const missing = [...new Set(acked.map((a) => markerKey(a.writer, a.seq)).filter((k) => !found.keys.has(k)))];
      record({ t: clock.now(), kind: 'markers', probe: name, endpoint: found.endpoint, missing, ...(found.splitBrain ? { splitBrain: found.splitBrain } : {}) }, true);
      rlog.debug({ probe: name, endpoint: found.endpoint, markers: found.keys.size, missing: missing.length }, 'surviving write markers read');
    }
  }
}
