import { loadRunbook } from '../../runbook/load.js';
import { defaultRegistry } from '../default-registry.js';
import type { GlobalOptions } from '../global-options.js';
import { runSession, type SessionOptions } from '../run-session.js';

/** `lifeboat drill <runbook>`. */
export async function drillCommand(file: string, opts: SessionOptions, g: GlobalOptions): Promise<number> {
  const registry = defaultRegistry();
  const loaded = await loadRunbook(file, registry);
  return runSession({ loaded, registry, mode: 'drill' }, opts, g);
}
