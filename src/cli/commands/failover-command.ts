import { InvalidInputError } from '../../errors.js';
import { loadRunbook } from '../../runbook/load.js';
import { defaultRegistry } from '../default-registry.js';
import type { GlobalOptions } from '../global-options.js';
import { parseIncidentStart } from '../incident-start.js';
import { readLine } from '../operator-prompt.js';
import { runSession, type SessionOptions } from '../run-session.js';
import { planCommand } from './plan-command.js';

export interface FailoverOptions extends SessionOptions {
  yes?: boolean;
  incidentStart?: string;
  dryRun?: boolean;
}

/**
 * `lifeboat failover <runbook>`: a real failover (SPEC §3). Never injects a fault. Everything that
 * can refuse does so before any provider is opened: the runbook, `--incident-start`, and the
 * operator's confirmation (the runbook name typed at a terminal, or `--yes`).
 */
export async function failoverCommand(file: string, opts: FailoverOptions, g: GlobalOptions): Promise<number> {
  const registry = defaultRegistry();
  const loaded = await loadRunbook(file, registry);
  const name = loaded.runbook.name;
  const incidentStart = opts.incidentStart !== undefined ? parseIncidentStart(opts.incidentStart) : undefined;
  // --dry-run: preflight (read-only) and the plan; nothing asks, nothing runs.
  if (opts.dryRun) return runSession({ loaded, registry, mode: 'failover', dryRun: true }, opts, g);
  if (!opts.json) await planCommand(file, { mode: 'failover' });

  if (!opts.yes) {
    // Refused before any provider is opened or any SDK loaded: an unattended real failover needs --yes.
    if (!process.stdin.isTTY)
      throw new InvalidInputError(`refusing a real failover of ${name} without confirmation: stdin is not a terminal, so nobody can type the runbook name; pass --yes to fail over unattended`);
    const typed = await readLine(`\nREAL FAILOVER of ${name}: the steps above run against the real systems, no fault is injected.\nType the runbook name (${name}) to go on: `);
    if (typed === undefined) throw new InvalidInputError(`refusing a real failover of ${name}: stdin closed before the confirmation; pass --yes to fail over unattended`);
    if (typed.trim() !== name) throw new InvalidInputError(`refusing a real failover: "${typed.trim()}" is not the runbook name ${name}; nothing was done`);
  }
  return runSession({ loaded, registry, mode: 'failover', ...(incidentStart !== undefined ? { incidentStart } : {}) }, opts, g);
}
