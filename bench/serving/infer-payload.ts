import type { MetadataTensor, ModelSignature } from '@streamscore/inference';
import {
  encodeFeatures,
  scoringTensors,
  type ModelManifest,
  type RawColumn,
  type RawFeatures,
} from '@streamscore/models';

/** An `$inference_request` as the bench sends it: the model's one input, data flat and row-major. */
export interface InferRequestBody {
  readonly id: string;
  readonly inputs: readonly (MetadataTensor & { readonly data: readonly number[] })[];
}

/**
 * One row a model would see on a typical event, from its manifest alone (the platform knows no
 * feature by name): every feature at its drift reference's typical value in raw units — the
 * median of a numeric feature's sample, the most frequent category of a categorical one — encoded
 * the way the service encodes a stream's rows (encodeFeatures).
 */
export function typicalRow(manifest: ModelManifest): Float32Array {
  const { input } = scoringTensors(manifest);
  const columns = new Map<string, RawColumn>(
    input.features.map((feature): [string, RawColumn] => {
      const reference = manifest.drift.features[feature.name];
      if (!reference) throw new RangeError(`the manifest has no drift reference for ${feature.name}`);
      if (feature.type === 'numeric') {
        if (reference.kind !== 'numeric')
          throw new TypeError(`${feature.name} is numeric, its reference not`);
        return [feature.name, Float64Array.of(median(reference.sample))];
      }
      if (reference.kind !== 'categorical')
        throw new TypeError(`${feature.name} is categorical, its reference not`);
      return [feature.name, [mostFrequent(reference.categories, reference.proportions)]];
    }),
  );
  const raw: RawFeatures = { rowCount: 1, columns };
  return encodeFeatures(input, raw);
}

/** The infer request for `rows` (row-major, the signature's width each) under the signature's names. */
export function inferRequest(signature: ModelSignature, rows: Float32Array, id: string): InferRequestBody {
  const width = signature.input.shape[1] ?? Number.NaN;
  if (!(rows.length > 0) || rows.length % width !== 0)
    throw new RangeError(`${rows.length} values are not rows of ${width}`);
  return {
    id,
    inputs: [
      {
        name: signature.input.name,
        datatype: signature.input.datatype,
        shape: [rows.length / width, width],
        data: Array.from(rows),
      },
    ],
  };
}

function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('an empty reference sample has no median');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

function mostFrequent(categories: readonly string[], proportions: readonly number[]): string {
  let best = 0;
  proportions.forEach((p, i) => {
    if (p > (proportions[best] ?? -1)) best = i;
  });
  const category = categories[best];
  if (category === undefined) throw new RangeError('an empty categorical reference');
  return category;
}
