import { featureNames, valueFieldsOf, type FeatureView, type ValueField } from './feature-view';
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
