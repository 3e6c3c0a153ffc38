import type { Logger } from 'pino';
import { InfrastructureError } from '../errors.js';
import type { Lab, LabState } from '../lab/types.js';
import type { Registry } from '../providers/registry.js';
import type { Runbook } from '../runbook/types.js';

/**
 * Starts the runbook's lab through its driver, or on resume re-adopts the one the dead process
 * left. Before the fault nothing of value happened in it (and it may be half-started), so it is
 * replaced by a fresh one.
 */
export async function startLabSession(options: {
  runbook: Runbook;
  registry: Registry;
  resumedLab?: LabState;
  faultBegan: boolean;
  /** The run: container labs label everything with it. */
  runId: string;
  signal: AbortSignal;
  log: Logger;
  onStateChange: (state: LabState) => void;
}): Promise<{ lab: Lab; replaced: boolean }> {
  const spec = options.runbook.lab!;
  const entry = options.registry.labDriver(spec.driver);
  if (!entry) throw new InfrastructureError(`lab driver "${spec.driver}" is not available in this version (available: ${options.registry.labDrivers.map((d) => d.name).join(', ') || 'none'})`);
  const driver = await entry.load();
  const labOptions = {
    log: options.log,
    onStateChange: options.onStateChange,
    runId: options.runId,
    ...(spec.image !== undefined ? { image: spec.image } : {}),
    ...(spec.pgBin !== undefined ? { pgBin: spec.pgBin } : {}),
  };
  let replaced = false;
  if (options.resumedLab) {
    const adopted = await driver.adopt(options.resumedLab, labOptions);
    if (options.faultBegan) return { lab: adopted, replaced };
    await adopted.teardown();
    replaced = true;
  }
  return { lab: await driver.start(spec.services, { ...labOptions, signal: options.signal }), replaced };
}
