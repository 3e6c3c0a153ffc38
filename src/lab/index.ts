export type {
  Lab,
  LabDriverName,
  LabService,
  LabServiceSpec,
  LabServiceState,
  LabState,
} from './types.js';
export { startProcessLab, adoptProcessLab, startOrder } from './process/process-lab.js';
export type { ProcessLabOptions } from './process/process-lab.js';
export { findPgBinaries } from './process/pg-binaries.js';
export type { PgBinaries } from './process/pg-binaries.js';
