import { loadRunbook } from '../../runbook/load.js';
import type { GlobalOptions } from '../main.js';
import { runSession, type SessionOptions } from '../run-session.js';

/** `lifeboat drill <runbook>`. */
export async function drillCommand(file: string, opts: SessionOptions, g: GlobalOptions): Promise<number> {
  const loaded = await loadRunbook(file);
  return runSession({ loaded, mode: 'drill' }, opts, g);
}
