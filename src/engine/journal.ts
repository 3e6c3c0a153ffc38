import { closeSync, fchmodSync, fstatSync, fsyncSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LabState } from '../lab/types.js';
import type { RunMode } from '../verify/run-result.js';
import type { TimelineEvent } from '../timeline/timeline-event.js';
import { makeDirs } from '../util/make-dir.js';
import { storageFault } from '../util/storage-fault.js';

/** One line of a run's journal. */
export type JournalEntry =
  | { type: 'header'; runId: string; file: string; text: string; mode: RunMode; startedAt: number }
  | { type: 'attempt'; attempt: number; pid: number; t: number }
  | { type: 'lab'; state: LabState }
  | { type: 'event'; event: TimelineEvent }
  | { type: 'finished'; t: number; status: string; note?: string };

/** Writes bytes at the end of the journal; returns how many were written (tests inject failures). */
export type JournalWrite = (fd: number, data: Buffer) => number;

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
  // Bytes a failed or short write left behind: written first next time, so no line is torn or lost.
  private unwritten = Buffer.alloc(0);
  private errorHandler?: (err: unknown) => void;
  // A full disk fails every flush until space returns: its handler hears it once, not every 100 ms.
  private failureReported = false;

  /**
   * Hears errors of background flushes (and whoever reports one through it), once per fault:
   * again only after the journal has written successfully since.
   */
  get onError(): ((err: unknown) => void) | undefined {
    const handler = this.errorHandler;
    if (!handler) return undefined;
    return (err) => {
      if (this.failureReported) return;
      this.failureReported = true;
      handler(err);
    };
  }

  set onError(handler: ((err: unknown) => void) | undefined) {
    this.errorHandler = handler;
  }

  constructor(
    readonly path: string,
    private readonly flushMs = 100,
    private readonly write: JournalWrite = (fd, data) => writeSync(fd, data),
  ) {
    // Journals hold endpoints, step outputs and errors of real systems: only their owner reads them.
    makeDirs(dirname(path), 0o700);
    this.fd = openSync(path, 'a+', 0o600);
    // A journal written by an earlier Lifeboat (or another umask) is tightened too.
    fchmodSync(this.fd, 0o600);
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

  /**
   * Writes buffered entries; with `sync`, also fsyncs. Throws an InfrastructureError naming the
   * journal and the cause (`no space left on device (ENOSPC)`); what could not be written stays
   * buffered for the next flush.
   */
  flush(sync = false): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed) return;
    try {
      if (this.buffer.length) {
        this.unwritten = Buffer.concat([this.unwritten, Buffer.from(this.buffer.join(''))]);
        this.buffer = [];
      }
      // A nearly full disk may take only part of a write.
      while (this.unwritten.length) {
        const n = this.write(this.fd, this.unwritten);
        if (n <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        this.unwritten = this.unwritten.subarray(n);
      }
      if (sync) fsyncSync(this.fd);
    } catch (err) {
      throw storageFault('write the journal', this.path, err);
    }
    this.failureReported = false;
  }

  /** Flushes (throwing as `flush` does) and closes; the file is closed even when the flush fails. */
  close(): void {
    if (this.closed) return;
    try {
      this.flush(true);
    } finally {
      closeSync(this.fd);
      this.closed = true;
    }
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
