/**
 * Drift references as the model manifest stores them (raw units), prepared once per model version:
 * typed arrays for the bin edges and the KS sample, reference bin counts for PSI.
 * The shapes are structural so this pure library does not depend on the model library.
 */
export interface NumericReferenceInput {
  readonly kind: 'numeric';
  /** Inner quantile edges; outer bins are open, bin index = number of edges <= x. */
  readonly edges: readonly number[];
  /** edges.length + 1 proportions of the reference window. */
  readonly proportions: readonly number[];
  /** Raw reference values for the KS test. */
  readonly sample: readonly number[];
}

export interface CategoricalReferenceInput {
  readonly kind: 'categorical';
  readonly categories: readonly string[];
  readonly proportions: readonly number[];
}

export interface DriftReferencesInput {
  readonly features: Readonly<Record<string, NumericReferenceInput | CategoricalReferenceInput>>;
  readonly score: NumericReferenceInput;
}

export interface PreparedNumericReference {
  readonly kind: 'numeric';
  readonly name: string;
  readonly edges: Float64Array;
  readonly proportions: Float64Array;
  /** proportions × reference rows: PSI smoothing needs counts, not proportions. */
  readonly counts: Float64Array;
  readonly sample: Float64Array;
}

export interface PreparedCategoricalReference {
  readonly kind: 'categorical';
  readonly name: string;
  readonly categories: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  /** One proportion per category plus 0 for the "unseen" bin. */
  readonly proportions: Float64Array;
  readonly counts: Float64Array;
}

export interface PreparedReferences {
  /** Input features in manifest order. */
  readonly features: readonly (PreparedNumericReference | PreparedCategoricalReference)[];
  readonly score: PreparedNumericReference;
  readonly referenceRows: number;
}

function prepareNumeric(
  name: string,
  reference: NumericReferenceInput,
  rows: number,
): PreparedNumericReference {
  if (reference.proportions.length !== reference.edges.length + 1)
    throw new RangeError(
      `drift reference ${name}: ${reference.edges.length} edges need ${reference.edges.length + 1} proportions, got ${reference.proportions.length}`,
    );
  if (reference.sample.length === 0) throw new RangeError(`drift reference ${name}: empty KS sample`);
  const proportions = Float64Array.from(reference.proportions);
  return {
    kind: 'numeric',
    name,
    edges: Float64Array.from(reference.edges),
    proportions,
    counts: proportions.map((p) => p * rows),
    sample: Float64Array.from(reference.sample).sort(),
  };
}

function prepareCategorical(
  name: string,
  reference: CategoricalReferenceInput,
  rows: number,
): PreparedCategoricalReference {
  if (reference.proportions.length !== reference.categories.length)
    throw new RangeError(`drift reference ${name}: one proportion per category expected`);
  const proportions = Float64Array.from([...reference.proportions, 0]);
  return {
    kind: 'categorical',
    name,
    categories: reference.categories,
    index: new Map(reference.categories.map((c, i) => [c, i])),
    proportions,
    counts: proportions.map((p) => p * rows),
  };
}

/**
 * @param featureOrder input feature names in the order reports list them (the manifest's order)
 * @param referenceRows rows of the reference window the proportions were computed on
 */
export function prepareReferences(
  references: DriftReferencesInput,
  featureOrder: readonly string[],
  referenceRows: number,
): PreparedReferences {
  if (!(referenceRows > 0)) throw new RangeError(`referenceRows must be > 0, got ${referenceRows}`);
  const features = featureOrder.map((name) => {
    const reference = references.features[name];
    if (!reference) throw new RangeError(`no drift reference for feature ${name}`);
    return reference.kind === 'numeric'
      ? prepareNumeric(name, reference, referenceRows)
      : prepareCategorical(name, reference, referenceRows);
  });
  return { features, score: prepareNumeric('score', references.score, referenceRows), referenceRows };
}
