export { findRecovery } from './recovery.js';
export type { RecoveryInput, RecoveryResult } from './recovery.js';
export { measureDataLoss } from './data-loss.js';
export type { DataLossResult, LostWrite } from './data-loss.js';
export { allMet, judge } from './verdict.js';
export type { Measured, ObjectiveVerdict, Objectives } from './verdict.js';
