import { featureNames, valueFieldsOf, type FeatureView, type ValueField } from './feature-view';

/** A view with the lookups every hot path needs, computed once. */
export interface CompiledView {
  readonly view: FeatureView;
  readonly valueFields: readonly ValueField[];
  /** Per aggregation (same order): index into valueFields, -1 for count. */
  readonly fieldIndexOf: readonly number[];
  readonly featureNames: readonly string[];
}

export function compileView(view: FeatureView): CompiledView {
  const valueFields = valueFieldsOf(view);
  const fieldIndexOf = view.aggregations.map((aggregation) =>
    valueFields.findIndex((field) => field.name === aggregation.field),
  );
  return { view, valueFields, fieldIndexOf, featureNames: featureNames(view) };
}
