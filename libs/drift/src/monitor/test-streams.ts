/**
 * Seeded synthetic streams for the monitor's specs and bench: standard-normal numeric features,
 * a categorical feature and a logistic score, with an optional mean shift in one feature.
 */
import { binCounts } from '../psi/bin-counts';
import { quantileBinEdges } from '../psi/quantile-bin-edges';
import type { CategoricalReferenceInput, DriftReferencesInput, NumericReferenceInput } from './references';
import { mulberry32 } from '../mulberry32';
import type { Observation } from './window-accumulator';

export const TEST_CATEGORIES = ['a', 'b', 'c'] as const;
const CATEGORY_WEIGHTS = [0.5, 0.3, 0.2];

export function normal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export const featureName = (i: number): string => `x${i}`;

function category(random: () => number): string {
  const u = random();
  let acc = 0;
  for (let i = 0; i < CATEGORY_WEIGHTS.length; i++) {
    acc += CATEGORY_WEIGHTS[i] ?? 0;
    if (u < acc) return TEST_CATEGORIES[i] ?? 'a';
  }
  return TEST_CATEGORIES[TEST_CATEGORIES.length - 1] ?? 'a';
}

export interface StreamOptions {
  readonly numericFeatures: number;
  readonly withCategory?: boolean;
  /** Mean shift in standard deviations, per feature index. */
  readonly shift?: Readonly<Record<number, number>>;
}

export function observations(
  seed: number,
  count: number,
  startTime: number,
  options: StreamOptions,
): Observation[] {
  const random = mulberry32(seed);
  const out: Observation[] = [];
  for (let r = 0; r < count; r++) {
    const features: Record<string, number> = {};
    for (let i = 0; i < options.numericFeatures; i++)
      features[featureName(i)] = normal(random) + (options.shift?.[i] ?? 0);
    const x0 = features[featureName(0)] ?? 0;
    out.push({
      eventTime: startTime + r,
      score: 1 / (1 + Math.exp(-x0)),
      features,
      categories: options.withCategory ? { c0: category(random) } : {},
    });
  }
  return out;
}

function numericReference(values: Float64Array, sampleSize: number, bins: number): NumericReferenceInput {
  const edges = quantileBinEdges(values, bins);
  const counts = binCounts(edges, values);
  return {
    kind: 'numeric',
    edges: Array.from(edges),
    proportions: Array.from(counts, (c) => c / values.length),
    sample: Array.from(values.subarray(0, sampleSize)),
  };
}

/** References computed from `rows` unshifted observations, as a training run would. */
export function references(
  seed: number,
  rows: number,
  sampleSize: number,
  options: StreamOptions,
  bins = 10,
): { references: DriftReferencesInput; featureOrder: string[] } {
  const reference = observations(seed, rows, 0, { ...options, shift: {} });
  const featureOrder: string[] = [];
  const features: Record<string, NumericReferenceInput | CategoricalReferenceInput> = {};
  for (let i = 0; i < options.numericFeatures; i++) {
    const name = featureName(i);
    featureOrder.push(name);
    features[name] = numericReference(
      Float64Array.from(reference, (o) => o.features[name] ?? 0),
      sampleSize,
      bins,
    );
  }
  if (options.withCategory) {
    featureOrder.push('c0');
    const counts = new Map<string, number>();
    for (const o of reference) {
      const c = o.categories['c0'] ?? '';
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    features['c0'] = {
      kind: 'categorical',
      categories: [...TEST_CATEGORIES],
      proportions: TEST_CATEGORIES.map((c) => (counts.get(c) ?? 0) / rows),
    };
  }
  const score = numericReference(
    Float64Array.from(reference, (o) => o.score),
    sampleSize,
    bins,
  );
  return { references: { features, score }, featureOrder };
}
