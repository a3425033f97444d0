import type {
  CategoricalFeature,
  InputFeature,
  NumericFeature,
  NumericStep,
  RawColumn,
  RawFeatureSpec,
  RawFeatures,
} from '@streamscore/models';

/** A numeric feature before fitting: which fixed transforms to apply, then standardize. */
export type NumericBlueprint = Pick<NumericFeature, 'name' | 'type' | 'source' | 'missing'> & {
  /** Fixed steps applied before standardization (clip bounds, log1p); standardization is fitted. */
  readonly transforms: readonly NumericStep[];
};

/** A categorical feature before fitting: one-hot over the most frequent values, or hashed. */
export type CategoricalBlueprint = Pick<CategoricalFeature, 'name' | 'type' | 'source' | 'missing'> & {
  readonly encoding:
    | { readonly op: 'one-hot'; readonly maxVocabulary: number; readonly minCount: number }
    | { readonly op: 'hashed'; readonly buckets: number };
};

export type FeatureBlueprint = NumericBlueprint | CategoricalBlueprint;

export function rawSpecOf(blueprint: FeatureBlueprint): RawFeatureSpec {
  const { name, type, source, missing } = blueprint;
  return (missing === undefined ? { name, type, source } : { name, type, source, missing }) as RawFeatureSpec;
}

function fitNumeric(blueprint: NumericBlueprint, column: Float64Array): NumericFeature {
  let sum = 0;
  let squares = 0;
  let n = 0;
  for (const raw of column) {
    if (!Number.isFinite(raw)) continue;
    let x = raw;
    for (const step of blueprint.transforms) {
      if (step.op === 'clip') x = Math.min(step.max, Math.max(step.min, x));
      else if (step.op === 'log1p') x = Math.log1p(x);
      else x = (x - step.mean) / step.std;
    }
    sum += x;
    squares += x * x;
    n++;
  }
  if (n === 0) throw new RangeError(`no finite values to fit ${blueprint.name}`);
  const mean = sum / n;
  // A constant column keeps std 1 so standardization stays defined.
  const std = Math.sqrt(Math.max(0, squares / n - mean * mean)) || 1;
  const { transforms: _transforms, ...rest } = blueprint;
  return { ...rest, preprocessing: [...blueprint.transforms, { op: 'standardize', mean, std }] };
}

function fitCategorical(
  blueprint: CategoricalBlueprint,
  column: readonly (string | null)[],
): CategoricalFeature {
  const { encoding, ...rest } = blueprint;
  if (encoding.op === 'hashed')
    return { ...rest, encoding: { op: 'hashed', buckets: encoding.buckets, hash: 'fnv1a-32' } };
  const counts = new Map<string, number>();
  for (const value of column) if (value !== null) counts.set(value, (counts.get(value) ?? 0) + 1);
  const vocabulary = [...counts]
    .filter(([, count]) => count >= encoding.minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, encoding.maxVocabulary)
    .map(([value]) => value);
  if (vocabulary.length === 0)
    throw new RangeError(`no value of ${blueprint.name} reaches ${encoding.minCount} rows`);
  return { ...rest, encoding: { op: 'one-hot', vocabulary } };
}

function columnFor(raw: RawFeatures, name: string): RawColumn {
  const column = raw.columns.get(name);
  if (!column) throw new RangeError(`no raw column for ${name}`);
  return column;
}

/**
 * Fits the data-dependent preprocessing on the training window only (standardization moments,
 * one-hot vocabularies), so nothing from the validation window leaks into the model.
 */
export function fitFeatures(blueprints: readonly FeatureBlueprint[], raw: RawFeatures): InputFeature[] {
  return blueprints.map((blueprint) => {
    const column = columnFor(raw, blueprint.name);
    if (blueprint.type === 'numeric') {
      if (!(column instanceof Float64Array))
        throw new TypeError(`${blueprint.name} is numeric but holds strings`);
      return fitNumeric(blueprint, column);
    }
    if (column instanceof Float64Array)
      throw new TypeError(`${blueprint.name} is categorical but holds numbers`);
    return fitCategorical(blueprint, column);
  });
}
