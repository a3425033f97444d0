import { addRecord, emptyStats, mergeInto, type BucketStats, type FeatureValues } from './bucket-stats';
import { compileView, finalize, type CompiledView } from './compiled-view';
import { entityOf, toViewRecord, type FeatureRecord } from './feature-record';
import type { FeatureView } from './feature-view';
import { bucketStartOf, slabStartOf, windowAsOf } from './time-buckets';

export interface OfflineQuery {
  readonly entity: string;
  readonly atMs: number;
}

/** Per entity: bucket starts ascending, and the statistics of each bucket. */
interface EntityBuckets {
  readonly starts: number[];
  readonly stats: BucketStats[];
}

export interface OfflineIndex {
  readonly compiled: CompiledView;
  readonly entities: ReadonlyMap<string, EntityBuckets>;
  /** Records the view could not place (no id, time, entity or a non-finite value). */
  readonly invalidRecords: number;
  /** Repeats of a record id within the same (entity, slab), ignored exactly as online. */
  readonly duplicateRecords: number;
}

/**
 * Buckets every record once: O(n log n). Deduplication mirrors the online store, which keeps one
 * record id per (entity, slab) key; the first occurrence wins. No record is dropped as late
 * offline (allowedLatenessMs only places the end of a window, as online): offline is the ideal the
 * online store reaches whenever it dropped no record as late.
 */
export function buildOfflineIndex(view: FeatureView, records: Iterable<FeatureRecord>): OfflineIndex {
  const compiled = compileView(view);
  const fieldCount = compiled.valueFields.length;
  const byEntity = new Map<string, Map<number, BucketStats>>();
  const seen = new Set<string>();
  let invalidRecords = 0;
  let duplicateRecords = 0;
  for (const record of records) {
    const parsed = toViewRecord(view, compiled.valueFields, record);
    if (parsed === undefined) {
      invalidRecords += 1;
      continue;
    }
    const bucketStart = bucketStartOf(parsed.timeMs, view.bucketMs);
    const dedupKey = `${parsed.entity}\u0000${slabStartOf(bucketStart, view.windowMs)}\u0000${parsed.id}`;
    if (seen.has(dedupKey)) {
      duplicateRecords += 1;
      continue;
    }
    seen.add(dedupKey);
    let buckets = byEntity.get(parsed.entity);
    if (buckets === undefined) {
      buckets = new Map();
      byEntity.set(parsed.entity, buckets);
    }
    let stats = buckets.get(bucketStart);
    if (stats === undefined) {
      stats = emptyStats(fieldCount);
      buckets.set(bucketStart, stats);
    }
    addRecord(stats, parsed.timeMs, parsed.values);
  }
  const entities = new Map<string, EntityBuckets>();
  for (const [entity, buckets] of byEntity) {
    const starts = [...buckets.keys()].sort((a, b) => a - b);
    entities.set(entity, {
      starts,
      stats: starts.map((start) => buckets.get(start) ?? emptyStats(fieldCount)),
    });
  }
  return { compiled, entities, invalidRecords, duplicateRecords };
}

/** First index whose value is >= target. */
function lowerBound(sorted: readonly number[], target: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] ?? Infinity) < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Point-in-time value as of atMs, the window of the online reader (time-buckets.ts windowAsOf: it
 * ends at bucketStart(atMs − allowedLatenessMs)). O(log n + window/bucket).
 */
export function valuesAt(index: OfflineIndex, entity: string, atMs: number): FeatureValues {
  const { view, valueFields } = index.compiled;
  const window = emptyStats(valueFields.length);
  const buckets = index.entities.get(entity);
  if (buckets !== undefined) {
    const range = windowAsOf(atMs, view);
    for (let i = lowerBound(buckets.starts, range.fromMs); i < buckets.starts.length; i++) {
      if ((buckets.starts[i] ?? Infinity) >= range.toMs) break;
      const stats = buckets.stats[i];
      if (stats !== undefined) mergeInto(window, stats);
    }
  }
  return finalize(index.compiled, window);
}

/** Offline feature values of one view for each query, in query order. */
export function computeOffline(
  view: FeatureView,
  records: Iterable<FeatureRecord>,
  queries: readonly OfflineQuery[],
): FeatureValues[] {
  const index = buildOfflineIndex(view, records);
  return queries.map((query) => valuesAt(index, query.entity, query.atMs));
}

/**
 * Training rows: for each event, the values of every view as of `atMs`, the entity taken from
 * the event itself (as the inference service does). An event lacking a view's key fields gets
 * that view's empty-window values.
 */
export function computeOfflineRows(
  views: readonly FeatureView[],
  recordsBySource: Readonly<Record<string, Iterable<FeatureRecord>>>,
  events: readonly { readonly record: FeatureRecord; readonly atMs: number }[],
): FeatureValues[] {
  const indexes = views.map((view) => buildOfflineIndex(view, recordsBySource[view.source] ?? []));
  return events.map((event) => {
    const row: FeatureValues = {};
    for (const index of indexes) {
      const entity = entityOf(index.compiled.view, event.record) ?? '';
      Object.assign(row, valuesAt(index, entity, event.atMs));
    }
    return row;
  });
}
