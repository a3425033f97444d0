/**
 * A feature view: one definition that drives the online materializer, the offline computation
 * and the reader, so training and serving cannot disagree on what a feature means.
 */
export const AggregationKinds = ['count', 'sum', 'mean', 'min', 'max', 'last'] as const;
export type AggregationKind = (typeof AggregationKinds)[number];

export interface AggregationDefinition {
  readonly kind: AggregationKind;
  /** The record field aggregated; absent only for `count`. */
  readonly field: string | undefined;
  /** Unique within the view; the feature is named `<view>.<name>`. Defaults to `kind`. */
  readonly name: string;
  /** Value when the window holds no record (mean, min, max, last); count and sum are 0 then. */
  readonly default: number | null;
}

export interface FeatureView {
  readonly name: string;
  readonly description: string | undefined;
  /** Logical source stream, e.g. 'events' or 'outcomes'. */
  readonly source: string;
  /** Record fields whose values, joined with ENTITY_SEPARATOR, form the entity. */
  readonly entityKey: readonly string[];
  /** Record field holding the event time (epoch ms) that places the record in time. */
  readonly timeField: string;
  /** Record field holding a stable unique record id: replays are deduplicated on it. */
  readonly idField: string;
  readonly bucketMs: number;
  /**
   * A multiple of bucketMs. A read as of t covers [c − windowMs, c), c = bucketStart(t −
   * allowedLatenessMs) (time-buckets.ts readCutoffOf).
   */
  readonly windowMs: number;
  /**
   * Records older than (max event time materialized − allowedLatenessMs) are dropped online; a
   * read as of t ends its window at bucketStart(t − allowedLatenessMs), where the watermark is.
   */
  readonly allowedLatenessMs: number;
  /** Wall-clock TTL of every Redis key of the view, refreshed on each write. */
  readonly ttlMs: number;
  readonly aggregations: readonly AggregationDefinition[];
}

/** Which per-bucket statistics a numeric field needs, derived from the aggregations. */
export interface ValueField {
  readonly name: string;
  readonly sum: boolean;
  readonly min: boolean;
  readonly max: boolean;
  readonly last: boolean;
}

export const ENTITY_SEPARATOR = '|';

export function featureName(view: FeatureView, aggregation: AggregationDefinition): string {
  return `${view.name}.${aggregation.name}`;
}

export function featureNames(view: FeatureView): string[] {
  return view.aggregations.map((aggregation) => featureName(view, aggregation));
}

/** Numeric fields in first-use order; their index is the position in BucketStats arrays. */
export function valueFieldsOf(view: FeatureView): ValueField[] {
  const byName = new Map<string, { name: string; sum: boolean; min: boolean; max: boolean; last: boolean }>();
  for (const aggregation of view.aggregations) {
    if (aggregation.field === undefined) continue;
    let field = byName.get(aggregation.field);
    if (field === undefined) {
      field = { name: aggregation.field, sum: false, min: false, max: false, last: false };
      byName.set(aggregation.field, field);
    }
    if (aggregation.kind === 'sum' || aggregation.kind === 'mean') field.sum = true;
    if (aggregation.kind === 'min') field.min = true;
    if (aggregation.kind === 'max') field.max = true;
    if (aggregation.kind === 'last') field.last = true;
  }
  return [...byName.values()];
}
