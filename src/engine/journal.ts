import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LabState } from '../lab/types.js';
import type { RunMode } from './plan.js';
import type { TimelineEvent } from './timeline.js';

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

  constructor(
    readonly path: string,
    private readonly flushMs = 100,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a');
  }

  append(entry: JournalEntry, durable = false): void {
    if (this.closed) return;
    this.buffer.push(`${JSON.stringify(entry)}\n`);
    if (durable) this.flush(true);
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(false), this.flushMs);
      this.timer.unref();
    }
  }

  /** Writes buffered entries; with `sync`, also fsyncs. */
  flush(sync = false): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed) return;
    if (this.buffer.length) {
      writeSync(this.fd, this.buffer.join(''));
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
