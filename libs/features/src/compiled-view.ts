import { featureNames, valueFieldsOf, type FeatureView, type ValueField } from './feature-view';
import type { BucketStats, FeatureValues } from './bucket-stats';
import { bucketFields } from './key-layout';

/** A view with the lookups every hot path needs, computed once. */
export interface CompiledView {
  readonly view: FeatureView;
  readonly valueFields: readonly ValueField[];
  /** Per aggregation (same order): index into valueFields, -1 for count. */
  readonly fieldIndexOf: readonly number[];
  readonly featureNames: readonly string[];
  /** windowMs / bucketMs: the buckets of one slab hash. */
  readonly bucketsPerSlab: number;
  /** Hash fields of bucket i (key-layout's bucketFields), built once instead of per read. */
  readonly bucketFieldNames: readonly (readonly string[])[];
}

export function compileView(view: FeatureView): CompiledView {
  const valueFields = valueFieldsOf(view);
  const fieldIndexOf = view.aggregations.map((aggregation) =>
    valueFields.findIndex((field) => field.name === aggregation.field),
  );
  const bucketsPerSlab = Math.round(view.windowMs / view.bucketMs);
  const base = { view, valueFields, fieldIndexOf, featureNames: featureNames(view), bucketsPerSlab };
  const bucketFieldNames = Array.from({ length: bucketsPerSlab }, (_, i) => bucketFields(base, i));
  return { ...base, bucketFieldNames };
}

/** Feature values in raw units, keyed `<view>.<aggregation name>`. */
export function finalize(compiled: CompiledView, window: BucketStats): FeatureValues {
  const values: FeatureValues = {};
  const empty = window.count === 0;
  compiled.view.aggregations.forEach((aggregation, position) => {
    const index = compiled.fieldIndexOf[position] ?? -1;
    let value: number | null;
    switch (aggregation.kind) {
      case 'count':
        value = window.count;
        break;
      case 'sum':
        value = empty ? 0 : (window.sums[index] ?? 0);
        break;
      case 'mean':
        value = empty ? aggregation.default : (window.sums[index] ?? 0) / window.count;
        break;
      case 'min':
        value = empty ? aggregation.default : (window.mins[index] ?? null);
        break;
      case 'max':
        value = empty ? aggregation.default : (window.maxs[index] ?? null);
        break;
      case 'last':
        value = empty ? aggregation.default : (window.lasts[index] ?? null);
        break;
    }
    values[compiled.featureNames[position] ?? aggregation.name] = value;
  });
  return values;
}
