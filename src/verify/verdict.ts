/** The outcome of one recovery objective. */
export interface ObjectiveVerdict {
  objective: 'rto' | 'rpo';
  /** The objective from the runbook (ms). */
  targetMs: number;
  /** What the run measured (ms); undefined when it could not be measured. */
  measuredMs: number | undefined;
  /** True when measured <= target. */
  met: boolean;
  /** target − measured: positive (or 0) when met, negative when missed, undefined when unmeasured. */
  marginMs: number | undefined;
  /** Why the objective could not be judged on a measurement (e.g. not recovered, not measured). */
  reason?: string;
}

/** The objectives a runbook states (ms); absent ones are not judged. */
export interface Objectives {
  rtoMs?: number;
  rpoMs?: number;
}

/** What a run measured. */
export interface Measured {
  rtoMs?: number;
  rpoMs?: number;
  /** Whether recovery was detected at all. */
  recovered: boolean;
  /** The RPO is only a lower bound: it is shown as `≥` and never counts as met. */
  rpoIsLowerBound?: boolean;
  /** Why the RPO was not measured, when it was not. */
  rpoReason?: string;
}

/**
 * Compares the measured RTO and RPO with the runbook's objectives: one verdict per objective
 * present, RTO first. An objective is met when the measurement is at most the target. An RTO
 * without recovery, an RPO that was not measured, and an RPO that is only a lower bound are
 * missed with a `reason`.
 */
export function judge(objectives: Objectives, measured: Measured): ObjectiveVerdict[] {
  const verdicts: ObjectiveVerdict[] = [];
  if (objectives.rtoMs !== undefined) {
    verdicts.push(
      !measured.recovered || measured.rtoMs === undefined
        ? unmeasured('rto', objectives.rtoMs, 'not recovered: no recovery was observed')
        : compare('rto', objectives.rtoMs, measured.rtoMs),
    );
  }
  if (objectives.rpoMs !== undefined) {
    verdicts.push(
      measured.rpoMs === undefined
        ? unmeasured('rpo', objectives.rpoMs, measured.rpoReason ?? 'not measured: no data-loss measurement was taken')
        : measured.rpoIsLowerBound
          ? { ...compare('rpo', objectives.rpoMs, measured.rpoMs), met: false, reason: 'lower bound: no surviving write precedes the lost ones, so the loss may have begun earlier' }
          : compare('rpo', objectives.rpoMs, measured.rpoMs),
    );
  }
  return verdicts;
}

/** True when every verdict is met (and so when there are none). */
export function allMet(verdicts: readonly ObjectiveVerdict[]): boolean {
  return verdicts.every((v) => v.met);
}

function compare(objective: ObjectiveVerdict['objective'], targetMs: number, measuredMs: number): ObjectiveVerdict {
  return { objective, targetMs, measuredMs, met: measuredMs <= targetMs, marginMs: targetMs - measuredMs };
}

function unmeasured(objective: ObjectiveVerdict['objective'], targetMs: number, reason: string): ObjectiveVerdict {
  return { objective, targetMs, measuredMs: undefined, met: false, marginMs: undefined, reason };
}
