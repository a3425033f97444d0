import { NO_PROGRESS_MS, ProgressHistory, unreadBoundMs } from '@streamscore/kafka';

/**
 * The watermark of one source topic as the service passes it to the materializer
 * (`sourceWatermarkMs`, docs/features.md "Watermark rule"):
 *
 *   min(ingestion's progress on the stream's input,
 *       min over the topic's partitions that still have records to read of
 *         greatest event time materialized from the partition) − allowed lateness
 *
 * A partition is caught up when everything up to its last stable offset has been materialized (by
 * this instance, or committed by the group); it then holds nothing back by itself. What it may
 * still receive is bounded by ingestion's progress: the greatest event time ingestion committed
 * from each input partition it has records left in (libs/kafka upstream-progress.ts). So a
 * partition that ingestion is slow to write never lets the views run past records still on the
 * way, and one nobody writes never stalls them. A partition with records left but none
 * materialized yet holds the watermark at NO_PROGRESS_MS. The greatest event time per partition is
 * shared through the store, so every instance of the group sees the progress of partitions other
 * instances own.
 */
export { NO_PROGRESS_MS };

export interface PartitionOffsets {
  readonly partition: number;
  /** Log start offset. */
  readonly low: number;
  /** Offset the next produced record will get. */
  readonly high: number;
  /** Group's committed offset (next to read), or −1 when the group has none. */
  readonly committed: number;
}

interface Progress {
  nextOffset: number;
  maxTimeMs: number | undefined;
}

export class SourceWatermark {
  private readonly local = new Map<number, Progress>();
  private readonly shared = new Map<number, number>();
  private offsets: readonly PartitionOffsets[] = [];
  /** Ingestion's bound and the topic's ends at each refresh; validated topics are written in transactions. */
  private readonly history = new ProgressHistory();

  /** After a micro-batch was materialized: offsets below nextOffset are done. */
  observe(partition: number, nextOffset: number, maxTimeMs: number | undefined): void {
    const progress = this.local.get(partition) ?? { nextOffset: 0, maxTimeMs: undefined };
    progress.nextOffset = Math.max(progress.nextOffset, nextOffset);
    if (maxTimeMs !== undefined)
      progress.maxTimeMs = Math.max(progress.maxTimeMs ?? NO_PROGRESS_MS, maxTimeMs);
    this.local.set(partition, progress);
  }

  /** The greatest event time materialized per partition, as recorded in the store. */
  setShared(maxTimeByPartition: ReadonlyMap<number, number>): void {
    for (const [partition, maxTimeMs] of maxTimeByPartition) {
      if (maxTimeMs > (this.shared.get(partition) ?? NO_PROGRESS_MS)) this.shared.set(partition, maxTimeMs);
    }
  }

  /**
   * One refresh: ingestion's progress on the stream's input (libs/kafka readUpstreamBound), then
   * the source's partitions, read after it — so records past these ends were committed after the
   * bound was read, and are no older than it.
   */
  setReading(upstreamMs: number | undefined, offsets: readonly PartitionOffsets[]): void {
    this.offsets = offsets;
    this.history.record({ upstreamMs, ends: new Map(offsets.map((o) => [o.partition, o.high])) });
  }

  /** Greatest event time materialized from a partition (local or shared). */
  maxTimeMs(partition: number): number | undefined {
    const local = this.local.get(partition)?.maxTimeMs;
    const shared = this.shared.get(partition);
    if (local === undefined) return shared;
    return shared === undefined ? local : Math.max(local, shared);
  }

  /** Greatest event time over all partitions, or undefined before any record. */
  sourceMaxTimeMs(): number | undefined {
    let max: number | undefined;
    for (const partition of new Set([...this.local.keys(), ...this.shared.keys()])) {
      const time = this.maxTimeMs(partition);
      if (time !== undefined && (max === undefined || time > max)) max = time;
    }
    return max;
  }

  /**
   * The source watermark for views with `latenessMs`: undefined when nothing holds it back (every
   * partition caught up and ingestion has nothing left), NO_PROGRESS_MS while a partition with
   * records left, or ingestion, has none.
   */
  watermarkMs(latenessMs: number): number | undefined {
    const bound = unreadBoundMs(
      this.history,
      this.offsets.map((o) => ({
        partition: o.partition,
        readTo: this.readUpTo(o),
        ownMaxMs: this.maxTimeMs(o.partition),
      })),
    );
    if (bound === undefined || bound === NO_PROGRESS_MS) return bound;
    return bound - latenessMs;
  }

  private readUpTo(offsets: PartitionOffsets): number {
    const committed = offsets.committed < 0 ? offsets.low : offsets.committed;
    return Math.max(committed, this.local.get(offsets.partition)?.nextOffset ?? 0);
  }
}
