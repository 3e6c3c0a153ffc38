/**
 * Whether a process exists. `EPERM` means it exists but belongs to someone else; anything we
 * cannot interpret counts as alive, so a run is never called dead (abandoned, pruned) by mistake.
 */
export function isProcessAlive(pid: number): boolean {
  // pid 0 or negative would signal a whole process group: such a pid is no process of ours.
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
