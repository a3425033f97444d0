import type { CategoricalEncoding, InputFeature, ModelInput } from './manifest-types';

/** Number of tensor columns one feature occupies. */
export function featureWidth(feature: InputFeature): number {
  if (feature.type === 'numeric') return 1;
  return encodingWidth(feature.encoding);
}

export function encodingWidth(encoding: CategoricalEncoding): number {
  return encoding.op === 'one-hot' ? encoding.vocabulary.length : encoding.buckets;
}

export function inputWidth(input: ModelInput): number {
  return input.features.reduce((total, feature) => total + featureWidth(feature), 0);
}

/** Human-readable names of the tensor columns, in order: `distance`, `origin=ATL`, `dest#7`. */
export function inputColumnNames(input: ModelInput): string[] {
  const names: string[] = [];
  for (const feature of input.features) {
    if (feature.type === 'numeric') names.push(feature.name);
    else if (feature.encoding.op === 'one-hot') {
      for (const word of feature.encoding.vocabulary) names.push(`${feature.name}=${word}`);
    } else {
      for (let b = 0; b < feature.encoding.buckets; b++) names.push(`${feature.name}#${b}`);
    }
  }
  return names;
}

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const utf8 = new TextEncoder();

/**
 * FNV-1a, 32 bit, over the UTF-8 bytes (http://www.isthe.com/chongo/tech/comp/fnv/). Documented in
 * docs/models.md so a model trained elsewhere can reproduce the bucket of every value.
 */
export function fnv1a32(value: string): number {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of utf8.encode(value)) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash >>> 0;
}

/** Column offset of a categorical value inside its feature's block, or -1 for none (all zeros). */
export function categoryIndexer(encoding: CategoricalEncoding): (value: string) => number {
  if (encoding.op === 'hashed') {
    const buckets = encoding.buckets;
    return (value) => fnv1a32(value) % buckets;
  }
  const positions = new Map(encoding.vocabulary.map((word, index) => [word, index]));
  return (value) => positions.get(value) ?? -1;
}
