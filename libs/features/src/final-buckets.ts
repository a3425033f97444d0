import { copyStats, mergeInto, type BucketStats } from './bucket-stats';

/**
 * The final buckets of one slab hash, by index, and the merges of their runs from either end,
 * built on first use. A window spans the end of one slab and the start of the next (or one whole
 * slab), so with both runs memoized a window of final buckets is two merges, not one per bucket.
 * Merges are shared and never mutated; an empty bucket adds no new merge object.
 */
export class CachedSlab {
  /** Stats, null for a final empty bucket, undefined when not cached. Packed: length is fixed. */
  readonly buckets: (BucketStats | null | undefined)[];
  /** prefixes[k]: buckets 0..k merged (null: all empty). */
  private readonly prefixes: (BucketStats | null | undefined)[];
  /** suffixes[k]: buckets k..end merged (null: all empty). */
  private readonly suffixes: (BucketStats | null | undefined)[];
  private suffixFrom: number;

  constructor(readonly size: number) {
    this.buckets = new Array<BucketStats | null | undefined>(size).fill(undefined);
    this.prefixes = new Array<BucketStats | null | undefined>(size).fill(undefined);
    this.suffixes = new Array<BucketStats | null | undefined>(size).fill(undefined);
    this.suffixFrom = size;
  }

  /**
   * The longest run of cached buckets from index 0, up to `end` (exclusive): how far it reaches and
   * the merge of the run (null when empty or when the run is empty).
   */
  prefix(end: number): { reach: number; merged: BucketStats | null } {
    let reach = 0;
    let merged: BucketStats | null = null;
    while (reach < end) {
      let next = this.prefixes[reach];
      if (next === undefined) {
        const bucket = this.buckets[reach];
        if (bucket === undefined) break;
        next = extend(merged, bucket);
        this.prefixes[reach] = next;
      }
      merged = next;
      reach += 1;
    }
    return { reach, merged };
  }

  /** The merge of buckets from..end when all are cached (null: all empty), else undefined. */
  suffix(from: number): BucketStats | null | undefined {
    // Built from the end down, as far as the buckets are cached.
    while (this.suffixFrom > from) {
      const index = this.suffixFrom - 1;
      const bucket = this.buckets[index];
      if (bucket === undefined) return undefined;
      const later = index + 1 < this.size ? (this.suffixes[index + 1] ?? null) : null;
      this.suffixes[index] = extend(later, bucket);
      this.suffixFrom = index;
    }
    return this.suffixes[from];
  }
}

/** `merged` with `bucket` folded in, as a new object unless the bucket adds nothing. */
function extend(merged: BucketStats | null, bucket: BucketStats | null): BucketStats | null {
  if (bucket === null || bucket.count === 0) return merged;
  if (merged === null) return bucket;
  const next = copyStats(merged);
  mergeInto(next, bucket);
  return next;
}

/**
 * Values keyed view → entity → time (short keys: looked up for every window of every batch, with
 * no key string built), bounded by count. The oldest entry inserted goes first, which suits a
 * stream that moves forward in event time (old slabs fall out of every window).
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

  /**
   * Remembers a final bucket of a slab of `bucketsPerSlab` buckets; `stats` is kept as given and
   * never mutated. A bucket that ends at or before its view's watermark can never change: the
   * materializer refuses every record older than the watermark.
   */
  store(
    view: string,
    entity: string,
    slabStart: number,
    bucketsPerSlab: number,
    index: number,
    stats: BucketStats | null,
  ): void {
    let entities = this.views.get(view);
    if (entities === undefined) this.views.set(view, (entities = new Map<string, Map<number, CachedSlab>>()));
    let slabs = entities.get(entity);
    if (slabs === undefined) entities.set(entity, (slabs = new Map<number, CachedSlab>()));
    let slab = slabs.get(slabStart);
    if (slab === undefined) {
      slabs.set(slabStart, (slab = new CachedSlab(bucketsPerSlab)));
      this.order.push({ view, entity, slabStart });
      this.slabs += 1;
      if (this.slabs > this.maxSlabs) this.evictOldest();
    }
    if (index < 0 || index >= slab.size) throw new RangeError(`bucket ${index} outside its slab`);
    slab.buckets[index] = stats;
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
