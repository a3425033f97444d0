import { NO_PROGRESS_MS } from './upstream-progress';

/**
 * What a reader knows about the records still to come on its own topic, positionally. A topic
 * written by several upstream transactions (one per upstream input partition) interleaves their
 * event-time ranges, so a partition's own latest event time says nothing about its unread records:
 * one transaction can bring hours older records after another. What holds is positional: every
 * record past the end (last stable offset) read after an upstream bound was read was committed
 * after it, so it is no older than that bound (less the lateness).
 */
export interface ProgressReading {
  /** Upstream's bound when read (upstream-progress.ts); undefined: upstream had nothing at all. */
  readonly upstreamMs: number | undefined;
  /** Per partition of the reader's topic, the last stable offset read right after the bound. */
  readonly ends: ReadonlyMap<number, number>;
}

/** A partition's bound could not be told from the readings: the caller holds, or falls back. */
export const UNKNOWN = Symbol('unknown bound');

export class ProgressHistory {
  private readonly readings: ProgressReading[] = [];

  /** `keep` readings, one per refresh: a reader further behind than that holds until it passes one. */
  constructor(private readonly keep = 600) {}

  record(reading: ProgressReading): void {
    this.readings.push(reading);
    if (this.readings.length > this.keep) this.readings.shift();
  }

  get latest(): ProgressReading | undefined {
    return this.readings[this.readings.length - 1];
  }

  /** Whether any reading found upstream progress: without it, upstream is unknown to this reader. */
  get knowsUpstream(): boolean {
    return this.readings.some((r) => r.upstreamMs !== undefined);
  }

  /**
   * The least event time of the partition's records from `readTo` on: the greatest bound among the
   * readings whose end the reader has reached. undefined: nothing bounds them (upstream had nothing
   * when that end was read); UNKNOWN: no reading's end is reached yet.
   */
  boundFrom(partition: number, readTo: number): number | undefined | typeof UNKNOWN {
    let bound: number | undefined | typeof UNKNOWN = UNKNOWN;
    for (const { upstreamMs, ends } of this.readings) {
      if (!this.reached(readTo, ends.get(partition) ?? 0)) continue;
      if (upstreamMs === undefined) {
        if (bound === UNKNOWN) bound = undefined;
      } else if (bound === UNKNOWN || bound === undefined || upstreamMs > bound) bound = upstreamMs;
    }
    return bound;
  }

  /**
   * Read up to `end`, exactly: the reader's position counts the commit markers its transport
   * stepped over, so a drained partition reaches its last stable offset. (One short is not enough:
   * with two producers' transactions interleaved, the offset below the last stable one can be the
   * other's data, committed before the bound was read.)
   */
  reached(readTo: number, end: number): boolean {
    return readTo >= end;
  }
}

/** A reader's position in one partition, and the greatest event time it read there. */
export interface ReaderPosition {
  readonly partition: number;
  /** The next offset to read. */
  readonly readTo: number;
  readonly ownMaxMs: number | undefined;
}

/**
 * The least event time (before the lateness) of the records still to come to a reader: undefined
 * when nothing holds it back, NO_PROGRESS_MS when it must wait. Per partition with records left,
 * the bound of the readings it passed (progress-history.ts); partitions read to the latest end
 * can only receive records committed after the latest bound was read. When upstream has never
 * reported progress (a topic written by something else), a partition's own latest event time
 * stands in, as per-partition watermarks do.
 */
export function unreadBoundMs(
  history: ProgressHistory,
  positions: readonly ReaderPosition[],
): number | undefined {
  const latest = history.latest;
  if (!latest) return NO_PROGRESS_MS;
  const knowsUpstream = history.knowsUpstream;
  let slowest = latest.upstreamMs;
  for (const { partition, readTo, ownMaxMs } of positions) {
    const end = latest.ends.get(partition) ?? 0;
    // Nothing upstream when last read, yet records since: they bound nothing until the next read.
    if (latest.upstreamMs === undefined && readTo > end) return NO_PROGRESS_MS;
    if (history.reached(readTo, end)) continue;
    const bound = knowsUpstream ? history.boundFrom(partition, readTo) : undefined;
    const candidate = bound === UNKNOWN ? NO_PROGRESS_MS : (bound ?? ownMaxMs ?? NO_PROGRESS_MS);
    if (slowest === undefined || candidate < slowest) slowest = candidate;
  }
  return slowest;
}
