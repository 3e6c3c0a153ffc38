import { closeSync, openSync } from 'node:fs';
import { isatty } from 'node:tty';

/**
 * stdout and stderr may vanish while a drill runs: `lifeboat plan | head -1` closes the pipe
 * (EPIPE), a closed terminal or SSH session makes every write fail (EIO). Node reports such a
 * failure as an 'error' event on the stream, which crashes the process when nobody listens: a
 * drill would stop mid-failover with no failback and no teardown. Once a stream has failed we
 * stop writing to it instead; the run goes on, and its outcome is in the journal, the report
 * files and the history.
 */
const gone = new WeakSet<NodeJS.WritableStream>();
let ttyAtStart: boolean[] | undefined;

/** Makes a failed stdout or stderr a no-op instead of a crash. Idempotent; called first by `main`. */
export function guardStdio(): void {
  if (ttyAtStart) return;
  ttyAtStart = [0, 1, 2].map((fd) => isatty(fd));
  for (const stream of [process.stdout, process.stderr]) {
    // Any write error, not only EPIPE/EIO: no output failure is worth crashing a drill for.
    stream.on('error', () => {
      gone.add(stream);
    });
  }
}

/** Whether writes to `stream` still go anywhere. */
export function isWritable(stream: NodeJS.WriteStream): boolean {
  return !gone.has(stream) && !stream.destroyed;
}

/**
 * Points the stdio descriptors of a terminal that has hung up at /dev/null, just before exiting.
 * On exit Node 20 restores the terminal's settings and aborts (SIGABRT, in place of our exit code)
 * when that fails, as it does on a hung-up terminal (nodejs/node#51519, fixed upstream by #58200);
 * it leaves alone a descriptor that no longer refers to the terminal.
 */
export function releaseHungUpTerminal(): void {
  for (const fd of [0, 1, 2]) {
    // A hung-up terminal answers terminal ioctls with EIO, so it no longer reads as a TTY.
    if (!ttyAtStart?.[fd] || isatty(fd)) continue;
    try {
      closeSync(fd);
      // The lowest free descriptor: `fd` itself, as 0..fd-1 are open (or handled just before).
      const reopened = openSync('/dev/null', fd === 0 ? 'r' : 'w');
      if (reopened !== fd) closeSync(reopened);
    } catch {
      // A closed descriptor is skipped by Node's reset too.
    }
  }
}
