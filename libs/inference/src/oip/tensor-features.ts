import {
  featureWidth,
  inputWidth,
  preprocessNumeric,
  type CategoricalFeature,
  type ModelInput,
  type NumericStep,
  type RawColumn,
  type RawFeatures,
} from '@streamscore/models';

/**
 * The raw features behind a `/v2` input tensor, by manifest feature name: what a Prediction carries
 * and the drift references bin (raw units, not the tensor's standardized ones). The tensor is the
 * encoding of encodeFeatures (libs/models); this undoes it where it can be undone:
 * - numeric: the steps inverted in reverse order (standardize, log1p; a clipped value stays at
 *   its bound), then the value with the fewest decimals that encodes to the very same float32, so
 *   an hour of 13 comes back as 13, not 12.9999995 below a bin edge at 13;
 * - one-hot: the vocabulary word whose column is 1 when every other is 0;
 * - missing (NaN / null, which a Prediction leaves out and drift counts as missing): a hashed
 *   category (a hash has no inverse), an all-zero one-hot block (a value outside the vocabulary),
 *   and any column the encoding cannot have produced.
 */
export function rawFeaturesOfTensor(input: ModelInput, tensor: Float32Array, rows: number): RawFeatures {
  const width = inputWidth(input);
  if (tensor.length !== rows * width)
    throw new RangeError(`tensor holds ${tensor.length} values, expected ${rows}×${width}`);
  const columns = new Map<string, RawColumn>();
  let offset = 0;
  for (const feature of input.features) {
    const at = offset;
    columns.set(
      feature.name,
      feature.type === 'numeric'
        ? Float64Array.from({ length: rows }, (_, row) =>
            rawNumeric(tensor[row * width + at] ?? Number.NaN, feature.preprocessing),
          )
        : Array.from({ length: rows }, (_, row) =>
            rawCategory(tensor.subarray(row * width + at, row * width + at + featureWidth(feature)), feature),
          ),
    );
    offset += featureWidth(feature);
  }
  return { rowCount: rows, columns };
}

/** The raw value whose preprocessing gives `encoded` (a float32 tensor value); NaN when none does. */
export function rawNumeric(encoded: number, steps: readonly NumericStep[]): number {
  if (!Number.isFinite(encoded)) return Number.NaN;
  let x = encoded;
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i];
    if (step?.op === 'standardize') x = x * step.std + step.mean;
    else if (step?.op === 'log1p') x = Math.expm1(x);
    // The inverse of a float32 rounding may land a hair outside the range the clip allows.
    else if (step?.op === 'clip') x = Math.min(step.max, Math.max(step.min, x));
  }
  if (!Number.isFinite(x)) return Number.NaN;
  const target = Math.fround(encoded);
  const encodes = (value: number): boolean => Math.fround(preprocessNumeric(value, steps)) === target;
  // Fewest decimals first (not fewest significant digits: -3e-9 encodes like 0 and is not simpler).
  for (let decimals = 0; decimals <= 20; decimals++) {
    // + 0 turns the -0 of a tiny negative rounded away into 0.
    const candidate = Number(x.toFixed(decimals)) + 0;
    if (encodes(candidate)) return candidate;
  }
  // No decimal near the inverse encodes to the value (e.g. a standardized value beyond a clip
  // bound's): the model was not sent the encoding of any raw value.
  return encodes(x) ? x : Number.NaN;
}

function rawCategory(block: Float32Array, feature: CategoricalFeature): string | null {
  const { encoding } = feature;
  if (encoding.op !== 'one-hot') return null;
  let found = -1;
  for (let i = 0; i < block.length; i++) {
    const value = block[i];
    if (value === 0) continue;
    if (value !== 1 || found >= 0) return null;
    found = i;
  }
  return found >= 0 ? (encoding.vocabulary[found] ?? null) : null;
}
