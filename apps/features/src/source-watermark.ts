/**
 * The watermark of one source topic as the service passes it to the materializer
 * (`sourceWatermarkMs`, docs/features.md "Watermark rule"):
 *
 *   min over the topic's partitions that still have records to read of
 *   (greatest event time materialized from the partition − allowed lateness)
 *
 * A partition is caught up when everything up to its high watermark has been materialized (by
 * this instance, or committed by the group). A caught-up partition still holds the watermark at
 * its own greatest event time − lateness until it has been idle (no new record) for `idleMs`:
 * its producer (ingestion, one batch at a time) may be about to write records hours behind the
 * other partitions, which would otherwise arrive late. After that it holds nothing back, so an
 * idle partition cannot stall the views (Flink's `withIdleness`). A partition with records left
 * but none materialized yet holds the watermark at NO_PROGRESS_MS. The greatest event time per
 * partition is shared through the store, so every instance of the group sees the progress of
 * partitions other instances own.
 */
export const NO_PROGRESS_MS = Number.MIN_SAFE_INTEGER;

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

export interface SourceWatermarkOptions {
  /** How long a caught-up partition keeps holding the watermark after its last new record. */
  readonly idleMs?: number;
  /** Wall clock, for tests. */
  readonly now?: () => number;
}

export class SourceWatermark {
  private readonly local = new Map<number, Progress>();
  private readonly shared = new Map<number, number>();
  /** Wall-clock time of the last sign of new records per partition. */
  private readonly activeAt = new Map<number, number>();
  /**
   * The first sign of records in any partition. A partition without records yet counts as
   * active from then on (until idle): the producer may be about to write its first records,
   * older than what another partition already delivered.
   */
  private firstActivityAt: number | undefined;
  private offsets: readonly PartitionOffsets[] = [];
  private readonly idleMs: number;
  private readonly now: () => number;

  constructor(options: SourceWatermarkOptions = {}) {
    this.idleMs = options.idleMs ?? 0;
    this.now = options.now ?? Date.now;
  }

  /** After a micro-batch was materialized: offsets below nextOffset are done. */
  observe(partition: number, nextOffset: number, maxTimeMs: number | undefined): void {
    const progress = this.local.get(partition) ?? { nextOffset: 0, maxTimeMs: undefined };
    progress.nextOffset = Math.max(progress.nextOffset, nextOffset);
    if (maxTimeMs !== undefined) {
      progress.maxTimeMs = Math.max(progress.maxTimeMs ?? NO_PROGRESS_MS, maxTimeMs);
      this.markActive(partition);
    }
    this.local.set(partition, progress);
  }

  /** The greatest event time materialized per partition, as recorded in the store. */
  setShared(maxTimeByPartition: ReadonlyMap<number, number>): void {
    for (const [partition, maxTimeMs] of maxTimeByPartition) {
      const known = this.shared.get(partition) ?? NO_PROGRESS_MS;
      if (maxTimeMs > known) {
        this.shared.set(partition, maxTimeMs);
        this.markActive(partition);
      }
    }
  }

  setOffsets(offsets: readonly PartitionOffsets[]): void {
    this.offsets = offsets;
    for (const row of offsets) if (this.readUpTo(row) < row.high) this.markActive(row.partition);
  }

  /** A micro-batch of the partition is about to be materialized. */
  markActive(partition: number): void {
    const now = this.now();
    this.activeAt.set(partition, now);
    this.firstActivityAt ??= now;
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
   * The source watermark for views with `latenessMs`; undefined when no partition holds it back
   * (all caught up and idle), NO_PROGRESS_MS when a partition with records left has none
   * materialized.
   */
  watermarkMs(latenessMs: number): number | undefined {
    let watermark: number | undefined;
    const now = this.now();
    for (const offsets of this.offsets) {
      const maxTime = this.maxTimeMs(offsets.partition);
      if (this.readUpTo(offsets) >= offsets.high) {
        const activeAt = this.activeAt.get(offsets.partition) ?? this.firstActivityAt;
        if (activeAt === undefined || now - activeAt >= this.idleMs) continue;
      }
      const candidate = maxTime === undefined ? NO_PROGRESS_MS : maxTime - latenessMs;
      if (watermark === undefined || candidate < watermark) watermark = candidate;
    }
    return watermark;
  }

  private readUpTo(offsets: PartitionOffsets): number {
    const committed = offsets.committed < 0 ? offsets.low : offsets.committed;
    return Math.max(committed, this.local.get(offsets.partition)?.nextOffset ?? 0);
  }
}
