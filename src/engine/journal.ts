import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LabState } from '../lab/types.js';
import type { RunMode } from '../verify/run-result.js';
import type { TimelineEvent } from '../timeline/timeline-event.js';

/** One line of a run's journal. */
export type JournalEntry =
  | { type: 'header'; runId: string; file: string; text: string; mode: RunMode; startedAt: number }
  | { type: 'attempt'; attempt: number; pid: number; t: number }
  | { type: 'lab'; state: LabState }
  | { type: 'event'; event: TimelineEvent }
  | { type: 'finished'; t: number; status: string };

/**
 * Append-only JSON-lines journal. `durable` entries are written and fsynced before `append`
 * returns (with everything buffered before them); others are batched and flushed every
 * `flushMs`, so steps that change nothing do not each pay a disk sync.
 */
export class Journal {
  private fd: number;
  private buffer: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  /** Hears errors of background flushes. */
  onError?: (err: unknown) => void;

  constructor(
    readonly path: string,
    private readonly flushMs = 100,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a+');
    // A process killed mid-write leaves a torn last line: end it, so our first line stays whole.
    const size = fstatSync(this.fd).size;
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(this.fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) writeSync(this.fd, '\n');
    }
  }

  append(entry: JournalEntry, durable = false): void {
    if (this.closed) return;
    this.buffer.push(`${JSON.stringify(entry)}\n`);
    if (durable) this.flush(true);
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        try {
          this.flush(false);
        } catch (err) {
          // A full disk must not crash the run from a timer (teardown would be skipped); the
          // entries stay buffered and the next durable append reports the error to its caller.
          this.onError?.(err);
        }
      }, this.flushMs);
      this.timer.unref();
    }
  }

  /** Writes buffered entries; with `sync`, also fsyncs. */
  flush(sync = false): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed) return;
    if (this.buffer.length) {
      const text = this.buffer.join('');
      writeSync(this.fd, text);
      this.buffer = [];
    }
    if (sync) fsyncSync(this.fd);
  }

  close(): void {
    if (this.closed) return;
    this.flush(true);
    closeSync(this.fd);
    this.closed = true;
  }
}

/** Reads a journal; a torn last line (the process died mid-write) is ignored. */
export function readJournal(path: string): JournalEntry[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const out: JournalEntry[] = [];
  for (const line of lines) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as JournalEntry);
    } catch {
      /* torn write at a crash */
    }
  }
  return out;
}
