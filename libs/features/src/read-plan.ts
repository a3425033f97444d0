import { emptyStats, mergeInto, resetStats, type BucketStats, type FeatureValues } from './bucket-stats';
import { finalize, type CompiledView } from './compiled-view';
import type { FinalBucketCache } from './final-buckets';
import { decodeBucket, metaKey, slabKey, WATERMARK_FIELD } from './key-layout';
import { isCompleteAsOf, slabStartOf, windowAsOf } from './time-buckets';

export interface FeatureQuery {
  readonly view: string;
  readonly entity: string;
  /**
   * Read as of this event time (epoch ms): only records with time < the cut-off
   * bucketStart(atMs − the view's allowedLatenessMs) count (time-buckets.ts readCutoffOf).
   */
  readonly atMs: number;
}

/** One HMGET; the whole plan is sent as one pipeline. */
export interface ReadCommand {
  readonly key: string;
  readonly fields: string[];
}

/** A bucket the plan reads, once per batch however many windows need it. */
class FetchedBucket {
  /** Filled by decodeReads: the bucket's stats, or null when it is empty. */
  stats: BucketStats | null = null;

  constructor(
    readonly compiled: CompiledView,
    /** The command reading the view's watermark. */
    readonly metaCommand: number,
    readonly command: number,
    readonly offset: number,
    readonly entity: string,
    readonly slabStart: number,
    readonly index: number,
    readonly endMs: number,
  ) {}
}

/** One HMGET per slab hash per batch, with the fields of every bucket some window misses. */
interface SlabRead {
  readonly command: ReadCommand;
  readonly commandIndex: number;
  /** By bucket index. */
  readonly buckets: (FetchedBucket | undefined)[];
}

interface WindowRead {
  readonly compiled: CompiledView;
  readonly metaCommand: number;
  /** An as-of time of the window (all queries sharing the read have the same cut-off). */
  readonly atMs: number;
  /** The window's parts are plan.parts[first .. end): cached stats or merges, or fetched buckets. */
  readonly first: number;
  readonly end: number;
}

export interface ReadPlan {
  readonly commands: ReadCommand[];
  readonly reads: WindowRead[];
  /** What the windows merge, each window a range of it (one array for the batch, not one per window). */
  readonly parts: (BucketStats | FetchedBucket)[];
  /** Every bucket read from Redis, each once. */
  readonly fetched: FetchedBucket[];
  /** For each query, the index of its (deduplicated) window read. */
  readonly readOfQuery: number[];
}

/**
 * Plans a batch: one HMGET of the watermark per view, and one HMGET per slab hash for the
 * buckets that some window of the batch needs and the cache does not hold, each bucket once.
 * Queries that share an entity and a cut-off share the window, which is common in a batch of
 * events from the same airport and minute; consecutive windows of an entity share buckets. The
 * watermark's HMGET precedes the view's bucket reads in the pipeline, so a bucket it shows final
 * was already final when it was read. A window's cached part is taken as the slab's memoized
 * merges (CachedSlab): usually two per window, whatever its length.
 */
export function planReads(
  compiledByName: ReadonlyMap<string, CompiledView>,
  keyPrefix: string,
  queries: readonly FeatureQuery[],
  cache?: FinalBucketCache,
): ReadPlan {
  const commands: ReadCommand[] = [];
  const reads: WindowRead[] = [];
  const parts: (BucketStats | FetchedBucket)[] = [];
  const fetched: FetchedBucket[] = [];
  const metaCommandOf = new Map<string, number>();
  // Keyed view → entity → bucket / slab start: short keys, no string built per query.
  const readIndexOf = new Map<string, Map<string, Map<number, number>>>();
  const slabReadsOf = new Map<string, Map<string, Map<number, SlabRead>>>();
  let hits = 0;
  const readOfQuery = queries.map((query) => {
    const compiled = compiledByName.get(query.view);
    if (compiled === undefined) throw new TypeError(`unknown feature view ${JSON.stringify(query.view)}`);
    if (!Number.isFinite(query.atMs)) throw new TypeError(`atMs must be a finite number, got ${query.atMs}`);
    const { view } = compiled;
    const readsOfEntity = nested(nested(readIndexOf, view.name), query.entity);
    const window = windowAsOf(query.atMs, view);
    const existing = readsOfEntity.get(window.toMs);
    if (existing !== undefined) return existing;
    const slabReads = nested(nested(slabReadsOf, view.name), query.entity);
    let metaCommand = metaCommandOf.get(view.name);
    if (metaCommand === undefined) {
      metaCommand = commands.push({ key: metaKey(keyPrefix, view.name), fields: [WATERMARK_FIELD] }) - 1;
      metaCommandOf.set(view.name, metaCommand);
    }
    const first = parts.length;
    // A window covers the end of one slab and the start of the next, or one whole slab.
    for (let from = window.fromMs; from < window.toMs;) {
      const slabStart = slabStartOf(from, view.windowMs);
      const to = Math.min(window.toMs, slabStart + view.windowMs);
      const lo = (from - slabStart) / view.bucketMs;
      const hi = (to - slabStart) / view.bucketMs;
      from = to;
      const cached = cache?.slab(view.name, query.entity, slabStart);
      let index = lo;
      if (cached !== undefined) {
        const suffix = hi === cached.size ? cached.suffix(lo) : undefined;
        if (suffix !== undefined) {
          if (suffix !== null) parts.push(suffix);
          index = hi;
        } else if (lo === 0) {
          const { reach, merged } = cached.prefix(hi);
          if (merged !== null) parts.push(merged);
          index = reach;
        }
        hits += index - lo;
      }
      let slabRead = slabReads.get(slabStart);
      for (; index < hi; index++) {
        const hit = cached?.buckets[index];
        if (hit !== undefined) {
          hits += 1;
          if (hit !== null) parts.push(hit);
          continue;
        }
        if (slabRead === undefined) {
          const command: ReadCommand = {
            key: slabKey(keyPrefix, view.name, slabStart, query.entity),
            fields: [],
          };
          slabRead = { command, commandIndex: commands.push(command) - 1, buckets: [] };
          slabReads.set(slabStart, slabRead);
        }
        let bucket = slabRead.buckets[index];
        if (bucket === undefined) {
          const fields = compiled.bucketFieldNames[index];
          if (fields === undefined) throw new Error(`bucket ${index} outside its slab`);
          bucket = new FetchedBucket(
            compiled,
            metaCommand,
            slabRead.commandIndex,
            slabRead.command.fields.length,
            query.entity,
            slabStart,
            index,
            slabStart + (index + 1) * view.bucketMs,
          );
          for (const field of fields) slabRead.command.fields.push(field);
          slabRead.buckets[index] = bucket;
          fetched.push(bucket);
        }
        parts.push(bucket);
      }
    }
    readsOfEntity.set(window.toMs, reads.length);
    return reads.push({ compiled, metaCommand, atMs: query.atMs, first, end: parts.length }) - 1;
  });
  if (cache) cache.hits += hits;
  return { commands, reads, parts, fetched, readOfQuery };
}

function nested<K, K2, V>(map: Map<K, Map<K2, V>>, key: K): Map<K2, V> {
  let inner = map.get(key);
  if (inner === undefined) map.set(key, (inner = new Map<K2, V>()));
  return inner;
}

export interface FeatureReading {
  /** `<view>.<aggregation>` → raw-unit value, or the configured default over an empty window. Shared by the queries of one window: do not mutate. */
  readonly values: FeatureValues;
  /**
   * The view's watermark had reached the window's end (the cut-off, time-buckets.ts
   * readCutoffOf): no record that belongs to the window can still arrive, so its values are final.
   */
  readonly complete: boolean;
  readonly watermarkMs: number | null;
}

/**
 * Turns the pipeline's replies (one array of strings/null per command) into readings, and hands
 * the cache the fetched buckets that the watermark shows final.
 */
export function decodeReads(
  plan: ReadPlan,
  queries: readonly FeatureQuery[],
  replies: readonly (readonly (string | null)[])[],
  cache?: FinalBucketCache,
): FeatureReading[] {
  const watermarkOf = (metaCommand: number): number | null => {
    const reply = replies[metaCommand]?.[0];
    return reply === null || reply === undefined ? null : Number(reply);
  };
  for (const bucket of plan.fetched) {
    bucket.stats = decodeBucket(bucket.compiled, replies[bucket.command] ?? [], bucket.offset);
    const watermarkMs = watermarkOf(bucket.metaCommand);
    if (cache && watermarkMs !== null && bucket.endMs <= watermarkMs)
      cache.store(
        bucket.compiled.view.name,
        bucket.entity,
        bucket.slabStart,
        bucket.compiled.bucketsPerSlab,
        bucket.index,
        bucket.stats,
      );
  }
  if (cache) cache.misses += plan.fetched.length;
  // One accumulator per view, reset for each window: finalize copies the values out.
  const accumulators = new Map<CompiledView, BucketStats>();
  const decoded = plan.reads.map((read) => {
    let window = accumulators.get(read.compiled);
    if (window === undefined)
      accumulators.set(read.compiled, (window = emptyStats(read.compiled.valueFields.length)));
    else resetStats(window);
    for (let i = read.first; i < read.end; i++) {
      const part = plan.parts[i];
      const stats = part instanceof FetchedBucket ? part.stats : part;
      if (stats !== null && stats !== undefined) mergeInto(window, stats);
    }
    return {
      values: finalize(read.compiled, window),
      watermarkMs: watermarkOf(read.metaCommand),
      complete: isCompleteAsOf(read.atMs, read.compiled.view, watermarkOf(read.metaCommand)),
    };
  });
  return queries.map((query, i) => {
    const read = decoded[plan.readOfQuery[i] ?? -1];
    if (read === undefined) throw new Error(`no read planned for query ${i}`);
    return {
      values: read.values,
      // Queries share a read only when their cut-offs are equal, and so is their completeness.
      complete: read.complete,
      watermarkMs: read.watermarkMs,
    };
  });
}
