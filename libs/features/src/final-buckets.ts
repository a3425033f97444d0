import type { BucketStats } from './bucket-stats';

/** A slab's buckets by index: stats, null for a final empty bucket, undefined when not cached. */
export type CachedSlab = (BucketStats | null | undefined)[];

/**
 * Buckets that end at or before their view's watermark. The materializer refuses every record
 * older than the watermark, so such a bucket can never change again: a reader that has seen it
 * once need not read it again. Consecutive windows of an entity share all but one bucket, so
 * this turns a window read of (windowMs / bucketMs) buckets into a read of the newest one.
 *
 * Keyed view → entity → slab start (short keys: looked up for every window of every batch).
 * Bounded by slab count; the oldest slab inserted goes first, which suits a stream that moves
 * forward in event time (old slabs fall out of every window).
 */
export class FinalBucketCache {
  private readonly views = new Map<string, Map<string, Map<number, CachedSlab>>>();
  /** Insertion order, for eviction; `head` is the oldest still held. */
  private readonly order: { view: string; entity: string; slabStart: number }[] = [];
  private head = 0;
  private slabs = 0;
  hits = 0;
  misses = 0;

  constructor(readonly maxSlabs: number) {
    if (!Number.isInteger(maxSlabs) || maxSlabs < 1)
      throw new RangeError(`maxSlabs must be a positive integer, got ${maxSlabs}`);
  }

  get size(): number {
    return this.slabs;
  }

  slab(view: string, entity: string, slabStart: number): CachedSlab | undefined {
    return this.views.get(view)?.get(entity)?.get(slabStart);
  }

  /** Remembers a final bucket; `stats` is kept as given (callers pass a private copy). */
  store(view: string, entity: string, slabStart: number, index: number, stats: BucketStats | null): void {
    let entities = this.views.get(view);
    if (entities === undefined) this.views.set(view, (entities = new Map<string, Map<number, CachedSlab>>()));
    let slabs = entities.get(entity);
    if (slabs === undefined) entities.set(entity, (slabs = new Map<number, CachedSlab>()));
    let slab = slabs.get(slabStart);
    if (slab === undefined) {
      slabs.set(slabStart, (slab = []));
      this.order.push({ view, entity, slabStart });
      this.slabs += 1;
      if (this.slabs > this.maxSlabs) this.evictOldest();
    }
    slab[index] = stats;
  }

  clear(): void {
    this.views.clear();
    this.order.length = 0;
    this.head = 0;
    this.slabs = 0;
  }

  private evictOldest(): void {
    const oldest = this.order[this.head];
    if (oldest === undefined) return;
    this.head += 1;
    const slabs = this.views.get(oldest.view)?.get(oldest.entity);
    if (slabs?.delete(oldest.slabStart)) this.slabs -= 1;
    if (slabs?.size === 0) this.views.get(oldest.view)?.delete(oldest.entity);
    // Drop the evicted prefix now and then, so the queue does not grow without bound.
    if (this.head > 1_024 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head);
      this.head = 0;
    }
  }
}
