import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { AbortedError, InfrastructureError, InvalidInputError, messageOf } from '../errors.js';
import type { Lab, LabState } from '../lab/types.js';
import { redactText } from '../log.js';
import { defaultRegistry } from '../providers/default-registry.js';
import type { Registry } from '../providers/registry.js';
import type { Phase, ProbeInstance, ProviderContext, ResourceRef } from '../providers/types.js';
import { ProbeScheduler } from '../probes/probe-scheduler.js';
import { ms } from '../runbook/fields.js';
import type { LoadedRunbook, Runbook } from '../runbook/types.js';
import { sleep } from '../util/abort.js';
import { findRecovery } from '../verify/recovery.js';
import { createClock, type Clock } from './clock.js';
import { StepExecutor, type PhaseOutcome } from './executor.js';
import { envRefs, resolveRefs } from './interpolate.js';
import { Journal } from './journal.js';
import { countedAcks, measure, recoverySamples } from './measure.js';
import type { RunMode } from './plan.js';
import { acquireRunLock } from './run-lock.js';
import { summariseSteps, type RunResult, type RunStatus } from './run-result.js';
import type { ProbeSample, TimelineEvent } from './timeline.js';

/** What a resumed run carries over from its journal. */
export interface ResumeState {
  runId: string;
  attempt: number;
  startedAt: number;
  timeline: TimelineEvent[];
  lab?: LabState;
}

export interface RunOptions {
  loaded: LoadedRunbook;
  stateDir: string;
  log: Logger;
  mode?: RunMode;
  registry?: Registry;
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
}

const DEFAULT_STEADY_STATE_MS = 30_000;
const POLL_MS = 10;

/** A run id: sortable time, then randomness. */
export function newRunId(now = new Date()): string {
  const ts = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${ts}-${randomBytes(3).toString('hex')}`;
}

/** Checks every `${env:...}` the runbook uses before anything starts. */
export function checkEnvironment(runbook: Runbook, env: NodeJS.ProcessEnv): void {
  const missing = envRefs({ resources: runbook.resources, probes: runbook.probes, fault: runbook.fault, failover: runbook.failover, failback: runbook.failback }).filter(
    (n) => env[n] === undefined,
  );
  if (missing.length) throw new InvalidInputError(`environment variables used by the runbook are not set: ${missing.join(', ')}`);
}

/**
 * Starts the runbook's lab, or on resume re-adopts the one the dead process left. Before the fault
 * nothing of value happened in it (and it may be half-started), so it is replaced by a fresh one.
 */
async function startLab(runbook: Runbook, opts: RunOptions, faultBegan: boolean, onStateChange: (s: LabState) => void): Promise<Lab> {
  const lab = runbook.lab!;
  if (lab.driver !== 'process') throw new InfrastructureError(`lab driver "${lab.driver}" is not available in this version; use driver: process`);
  const { startProcessLab, adoptProcessLab } = await import('../lab/process/process-lab.js');
  if (opts.resume?.lab) {
    const adopted = adoptProcessLab(opts.resume.lab, { log: opts.log, onStateChange });
    if (faultBegan) return adopted;
    await adopted.teardown();
  }
  return startProcessLab(lab.services, { signal: opts.signal, log: opts.log, onStateChange });
}

/**
 * Runs a drill (or the failover part of a runbook) end to end: lab up, probes, steady state,
 * fault, failover, recovery detection, data-loss reading, failback, lab down, measurements.
 * Never throws for a failed or interrupted run: the result says how it ended. Throws only for
 * problems found before anything started (missing env variables, a held lock).
 */
export async function runDrill(opts: RunOptions): Promise<RunResult> {
  const { loaded, log } = opts;
  const runbook = loaded.runbook;
  const registry = opts.registry ?? defaultRegistry();
  const env = opts.env ?? process.env;
  const mode = opts.mode ?? 'drill';
  const signal = opts.signal ?? new AbortController().signal;
  const cleanupSignal = opts.cleanupSignal ?? new AbortController().signal;
  const progress = opts.progress ?? (() => {});
  checkEnvironment(runbook, env);

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
  const record = (event: TimelineEvent, durable = false) => {
    timeline.push(event);
    journal.append({ type: 'event', event }, durable);
    opts.onEvent?.(event);
  };
  try {
    if (!opts.resume) journal.append({ type: 'header', runId, file: loaded.file, text: loaded.text, mode, startedAt }, true);
    journal.append({ type: 'attempt', attempt, pid: process.pid, t: clock.now() }, true);
    record({ t: clock.now(), kind: 'run', status: opts.resume ? 'resumed' : 'started' }, true);
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
    record: (e) => record(e),
  };

  const stepEvents = timeline.filter((e): e is Extract<TimelineEvent, { kind: 'step' }> => e.kind === 'step');
  const completed = new Map<string, unknown>();
  const started = new Set<string>();
  for (const e of stepEvents) {
    if (e.status === 'succeeded' || e.status === 'already-done') completed.set(e.stepId, e.output);
    if (e.status === 'started') started.add(e.stepId);
    if (e.status === 'failed' || e.status === 'succeeded' || e.status === 'already-done') started.delete(e.stepId);
  }
  const executor = new StepExecutor({
    registry,
    context,
    env,
    record,
    prior: opts.resume ? { completed, inFlight: started } : undefined,
    onStep: (e) => {
      if (e.status === 'started') progress(`  ▶ ${e.phase}/${e.stepId}`);
      else if (e.status === 'succeeded' || e.status === 'already-done') progress(`  ✔ ${e.phase}/${e.stepId}${e.status === 'already-done' ? ' (already done before the resume)' : ''}`);
      else if (e.status === 'skipped') progress(`  · ${e.phase}/${e.stepId} (completed before the resume)`);
      else if (e.status === 'failed') progress(`  ✘ ${e.phase}/${e.stepId}: ${redactText(e.error ?? '')}`);
      else if (e.status === 'retrying') progress(`  ↻ ${e.phase}/${e.stepId}: ${redactText(e.error ?? '')}`);
    },
  });

  const phaseStatus = (phase: Phase) =>
    timeline.filter((e): e is Extract<TimelineEvent, { kind: 'phase' }> => e.kind === 'phase' && e.phase === phase).at(-1)?.status;
  const runPhase = async (phase: Phase, s: AbortSignal): Promise<PhaseOutcome> => {
    const prior = phaseStatus(phase);
    if (prior === 'completed') return { ok: true };
    if (prior === 'failed') return { ok: false, error: new Error(`phase ${phase} failed before the resume`) };
    if (runbook[phase].length) progress(`${phase}:`);
    record({ t: clock.now(), kind: 'phase', phase, status: 'started' }, true);
    // A failed phase is journaled before its compensations run: a resume must not re-run the
    // failed step on top of steps already undone.
    const outcome = await executor.runPhase(phase, runbook[phase], s, cleanupSignal, () =>
      record({ t: clock.now(), kind: 'phase', phase, status: 'failed' }, true),
    );
    if (outcome.ok) record({ t: clock.now(), kind: 'phase', phase, status: 'completed' }, true);
    return outcome;
  };
  const mark = (name: Extract<TimelineEvent, { kind: 'mark' }>['name'], detail?: string) =>
    record({ t: clock.now(), kind: 'mark', name, ...(detail ? { detail } : {}) }, true);

  const recoveryProbes = runbook.recovery?.all ?? [];
  const stableForMs = runbook.recovery ? ms(runbook.recovery.stableFor) : 0;
  const probeNames = Object.keys(runbook.probes);
  const resolutionMs = Math.max(0, ...recoveryProbes.map((p) => ms(runbook.probes[p]!.interval)));
  const samples = (since: number): ProbeSample[] => recoverySamples(timeline, recoveryProbes.length ? recoveryProbes : probeNames, since);

  let status: RunStatus = 'completed';
  let error: string | undefined;
  const cleanupErrors: string[] = [];
  let scheduler: ProbeScheduler | undefined;
  const instances = new Map<string, ProbeInstance>();
  let survivors: { endpoint: string; keys: Set<string>; splitBrain?: string[] } | undefined;
  let faultBegan = phaseStatus('fault') !== undefined;

  try {
    if (runbook.lab && mode === 'drill') {
      progress(opts.resume?.lab && faultBegan ? 'lab: re-adopting the running lab' : `lab: starting ${Object.keys(runbook.lab.services).join(', ')}`);
      lab = await startLab(runbook, opts, faultBegan, (state) => journal.append({ type: 'lab', state }, true));
      // A half-started lab of a crashed attempt was replaced: its write markers are gone with it.
      if (opts.resume?.lab && !faultBegan) mark('lab-replaced');
      journal.append({ type: 'lab', state: lab.state() }, true);
    }

    for (const [name, spec] of Object.entries(runbook.probes)) {
      const def = registry.probe(spec.type)!;
      const resolved = resolveRefs(spec, { env }, `probe ${name}`);
      const names = def.targets === 'endpoints' ? (resolved.endpoints ?? []) : resolved.target ? [resolved.target] : [];
      const { type: _t, interval: _i, timeout: _o, target: _g, endpoints: _e, description: _d, ...params } = resolved;
      instances.set(name, def.create({ ...context, probeName: name, endpoints: names.map(resource), attempt }, params));
    }
    scheduler = new ProbeScheduler(
      [...instances].map(([name, instance]) => ({ name, instance, intervalMs: ms(runbook.probes[name]!.interval), timeoutMs: ms(runbook.probes[name]!.timeout) })),
      clock,
      (s) => record(s),
      rlog,
    );
    scheduler.start();

    if (!faultBegan && mode === 'drill') {
      const probesForSteady = recoveryProbes.length ? recoveryProbes : probeNames;
      if (probesForSteady.length) {
        progress(`steady state: waiting for ${probesForSteady.join(', ')}`);
        const from = clock.now();
        const timeoutMs = runbook.steadyState ? ms(runbook.steadyState.timeout) : DEFAULT_STEADY_STATE_MS;
        const writeProbes = probeNames.filter((n) => runbook.probes[n]!.type === 'postgres.writes');
        for (;;) {
          const r = findRecovery({ samples: samples(from), probes: probesForSteady, t0: from, stableForMs: 0 });
          const acked = writeProbes.every((p) => countedAcks(timeline).some((e) => e.probe === p && e.t >= from));
          if (r.recoveredAt !== undefined && acked) break;
          if (clock.now() - from > timeoutMs) {
            const last = samples(from).filter((s) => !s.ok).at(-1);
            throw new InfrastructureError(`steady state not reached within ${runbook.steadyState?.timeout ?? '30s'}${last ? `: ${last.probe}: ${last.error}` : ''}`);
          }
          await sleep(POLL_MS, signal);
        }
      }
      mark('steady-state');
    }

    if (mode === 'drill') {
      faultBegan = true;
      const fault = await runPhase('fault', signal);
      if (!fault.ok) throw fault.error!;
    }
    if (!timeline.some((e) => e.kind === 'mark' && e.name === 'outage-start')) {
      // t0 is when the last fault step completed, not when the phase bookkeeping was written.
      const lastFault = timeline.filter((e) => e.kind === 'step' && e.phase === 'fault' && (e.status === 'succeeded' || e.status === 'already-done')).at(-1);
      record({ t: lastFault?.t ?? clock.now(), kind: 'mark', name: 'outage-start' }, true);
    }
    const t0 = timeline.filter((e) => e.kind === 'mark' && e.name === 'outage-start').at(-1)!.t;
    progress('outage started; failover:');

    const failover = await runPhase('failover', signal);
    if (!failover.ok) throw failover.error!;
    mark('failover-done');

    if (recoveryProbes.length) {
      // Recovery that begins just before the deadline still needs stableFor (and a check) to be confirmed.
      const maxProbeTimeout = Math.max(0, ...recoveryProbes.map((p) => ms(runbook.probes[p]!.timeout)));
      const deadline = t0 + ms(runbook.recovery!.timeout) + stableForMs + maxProbeTimeout;
      for (;;) {
        const r = findRecovery({ samples: samples(t0), probes: recoveryProbes, t0, stableForMs });
        if (r.recoveredAt !== undefined) {
          progress(`recovered (RTO ${Math.round(r.rtoMs!)} ms)`);
          break;
        }
        if (clock.now() > deadline) {
          mark('recovery-timeout', `not recovered within ${runbook.recovery!.timeout}`);
          progress(`not recovered within ${runbook.recovery!.timeout}`);
          break;
        }
        await sleep(POLL_MS, signal);
      }
    }

    rlog.debug('stopping probes');
    await scheduler.stop();
    rlog.debug('probes stopped; reading surviving write markers');
    const writer = [...instances].find(([n]) => runbook.probes[n]!.type === 'postgres.writes');
    if (writer?.[1].readSurvivingMarkers) {
      const ac = AbortSignal.any([signal, AbortSignal.timeout(15_000)]);
      try {
        survivors = await writer[1].readSurvivingMarkers(ac);
        if (survivors.splitBrain) {
          mark('split-brain', `more than one endpoint accepts writes: ${survivors.splitBrain.join(', ')}; markers read from ${survivors.endpoint}`);
          progress(`SPLIT BRAIN: ${survivors.splitBrain.join(', ')} accept writes`);
        }
        rlog.debug({ endpoint: survivors.endpoint, markers: survivors.keys.size }, 'surviving write markers read');
      } catch (err) {
        if (signal.aborted) throw err;
        throw new InfrastructureError(`data loss not measured: could not read the surviving write markers: ${messageOf(err)}`, { cause: err });
      }
    }
  } catch (err) {
    status = signal.aborted || err instanceof AbortedError ? 'aborted' : 'failed';
    error = messageOf(signal.aborted ? signal.reason : err);
    rlog.error({ err: error }, 'run did not complete');
    progress(`${status}: ${redactText(error)}`);
  } finally {
    await scheduler?.close().catch(() => {});
    rlog.debug('probes closed');
    for (const i of instances.values()) await i.close().catch(() => {});
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
    if (lab) {
      progress('lab: tearing down');
      rlog.debug('tearing the lab down');
      await lab.teardown().catch((e: unknown) => cleanupErrors.push(`teardown: ${messageOf(e)}`));
    }
  }

  const objectives = {
    ...(runbook.objectives.rto ? { rtoMs: ms(runbook.objectives.rto) } : {}),
    ...(runbook.objectives.rpo ? { rpoMs: ms(runbook.objectives.rpo) } : {}),
  };
  const m = measure({ timeline, recoveryProbes, stableForMs, resolutionMs, objectives, survivors });
  const finishedAt = clock.now();
  record({ t: finishedAt, kind: 'run', status: status === 'completed' ? 'succeeded' : status === 'aborted' ? 'aborted' : 'failed', ...(error ? { detail: redactText(error) } : {}) }, true);
  journal.append({ type: 'finished', t: finishedAt, status }, true);
  journal.close();
  releaseLock();

  return {
    runId,
    runbook: runbook.name,
    file: loaded.file,
    mode,
    status,
    verdict: status !== 'completed' ? 'incomplete' : m.met ? 'met' : 'missed',
    startedAt,
    finishedAt,
    attempts: attempt,
    objectives,
    measurements: m.measurements,
    verdicts: m.verdicts,
    steps: summariseSteps(timeline),
    ...(error ? { error: redactText(error) } : {}),
    cleanupErrors: cleanupErrors.map(redactText),
    timeline,
  };
}
