import { existsSync, rmSync } from 'node:fs';
import { pidsUsing, signalPids, waitForPidsGone } from '../../src/lab/process/proc.js';

/**
 * Checks that a lab root this bench started is gone with all its processes. Anything left is
 * killed and removed (so the machine is clean), and reported by throwing: a lab that outlives its
 * teardown is a bug to look at, not a figure.
 */
export async function removeLabLeftovers(root: string): Promise<void> {
  const pids = pidsUsing(root);
  const dirLeft = existsSync(root);
  if (pids.length === 0 && !dirLeft) return;
  signalPids(pids, 'SIGCONT');
  signalPids(pids, 'SIGKILL');
  const survivors = await waitForPidsGone(pids, 5_000);
  rmSync(root, { recursive: true, force: true });
  throw new Error(
    `lab ${root} outlived its teardown: ${pids.length ? `processes ${pids.join(', ')}` : 'no process'}, directory ${dirLeft ? 'left' : 'removed'}` +
      (survivors.length ? `; ${survivors.join(', ')} survived SIGKILL` : ''),
  );
}
