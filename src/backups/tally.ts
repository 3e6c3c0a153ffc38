import type { Copy } from './copy.js';
import type { Medium } from './policy-schema.js';

/**
 * How far a copy may be "created in the future" relative to the check time and still count: clocks
 * of different machines (and of AWS) differ by a few minutes. Such a copy counts with age 0 and a
 * note; one created later than this did not exist at the check time (`--at` in the past) and is
 * left out, also with a note.
 */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** How many copies the report names as examples. */
const EXAMPLES = 5;

/**
 * Everything the rules need from a stream of copies, in constant memory: counts per medium and
 * location, the newest and oldest copy, the longest known retention, and a few examples. The
 * primary is the first copy counted.
 */
export class Tally {
  copies = 0;
  readonly media = new Map<Medium, number>();
  readonly locations = new Map<string, number>();
  offsite = 0;
  immutable = 0;
  bypassable = 0;
  newest?: Copy;
  oldest?: Copy;
  longestRetention?: { copy: Copy; ms: number };
  aheadOfClock = 0;
  afterCheck = 0;
  readonly examples: Copy[] = [];
  readonly immutableExamples: Copy[] = [];
  readonly bypassableExamples: Copy[] = [];

  constructor(
    readonly primaryLocation: string,
    primaryMedium: Medium,
    readonly at: number,
  ) {
    this.copies = 1;
    this.media.set(primaryMedium, 1);
    this.locations.set(primaryLocation, 1);
  }

  /** Counts one copy (a copy created after the check time beyond the clock skew is left out). */
  add(copy: Copy): void {
    if (copy.createdAt > this.at + CLOCK_SKEW_MS) {
      this.afterCheck++;
      return;
    }
    if (copy.createdAt > this.at) this.aheadOfClock++;
    this.copies++;
    this.media.set(copy.medium, (this.media.get(copy.medium) ?? 0) + 1);
    this.locations.set(copy.location, (this.locations.get(copy.location) ?? 0) + 1);
    if (copy.location !== this.primaryLocation) this.offsite++;
    if (copy.immutable) {
      this.immutable++;
      if (this.immutableExamples.length < EXAMPLES) this.immutableExamples.push(copy);
    } else if (copy.bypassableLock) {
      this.bypassable++;
      if (this.bypassableExamples.length < EXAMPLES) this.bypassableExamples.push(copy);
    }
    if (!this.newest || copy.createdAt > this.newest.createdAt) this.newest = copy;
    if (!this.oldest || copy.createdAt < this.oldest.createdAt) this.oldest = copy;
    if (copy.retainUntil !== undefined) {
      const ms = copy.retainUntil - copy.createdAt;
      if (!this.longestRetention || ms > this.longestRetention.ms) this.longestRetention = { copy, ms };
    }
    if (this.examples.length < EXAMPLES) this.examples.push(copy);
  }

  /** Age of a copy at the check time; a copy from a clock slightly ahead is 0 old. */
  ageOf(copy: Copy): number {
    return Math.max(0, this.at - copy.createdAt);
  }
}
