import type { BucketStats } from './bucket-stats';

/** A slab's buckets by index: stats, null for a final empty bucket, undefined when not cached. */
export type CachedSlab = (BucketStats | null | undefined)[];

/**
 * Buckets that end at or before their view's watermark. The materializer refuses every record
 * older than the watermark, so such a bucket can never change again: a reader that has seen it
 * once need not read it again. Consecutive windows of an entity share all but one bucket, so
 * this turns a window read of (windowMs / bucketMs) buckets into a read of the newest one.
 *
 * Bounded by slab count; the oldest slab inserted goes first, which suits a stream that moves
 * forward in event time (old slabs fall out of every window).
 */
export class FinalBucketCache {
  private readonly slabs = new Map<string, CachedSlab>();
  hits = 0;
  misses = 0;

  constructor(readonly maxSlabs: number) {
    if (!Number.isInteger(maxSlabs) || maxSlabs < 1)
      throw new RangeError(`maxSlabs must be a positive integer, got ${maxSlabs}`);
  }

  get size(): number {
    return this.slabs.size;
  }

  slab(key: string): CachedSlab | undefined {
    return this.slabs.get(key);
  }

  /** Remembers a final bucket; `stats` is kept as given (callers pass a private copy). */
  store(key: string, index: number, stats: BucketStats | null): void {
    let slab = this.slabs.get(key);
    if (slab === undefined) {
      slab = [];
      this.slabs.set(key, slab);
      if (this.slabs.size > this.maxSlabs) {
        const oldest = this.slabs.keys().next().value;
        if (oldest !== undefined) this.slabs.delete(oldest);
      }
    }
    slab[index] = stats;
  }

  clear(): void {
    this.slabs.clear();
  }
}
