import type {
  DriftReference,
  InputFeature,
  ModelManifest,
  RawFeatures,
  TimeWindow,
} from '@streamscore/models';
import { categoricalReference, numericReference } from './reference-distribution';

export const DEFAULT_DRIFT_BINS = 10;
export const DEFAULT_SAMPLE_SIZE = 10_000;

/**
 * Drift references of every input feature (raw units, keyed by feature name) and of the score,
 * all over the same reference rows; the KS sample takes the same sampled rows for every feature.
 */
export function buildDriftReferences(options: {
  readonly features: readonly InputFeature[];
  readonly raw: RawFeatures;
  readonly scores: ArrayLike<number>;
  readonly window: TimeWindow;
  /** Row indices of the KS sample (at most DEFAULT_SAMPLE_SIZE, see sampleIndices). */
  readonly sampleRows: ArrayLike<number>;
  readonly bins?: number;
}): ModelManifest['drift'] {
  const bins = options.bins ?? DEFAULT_DRIFT_BINS;
  const pick = (values: ArrayLike<number>): number[] =>
    Array.from(options.sampleRows, (row) => values[row] ?? Number.NaN);
  const features: Record<string, DriftReference> = {};
  for (const feature of options.features) {
    const column = options.raw.columns.get(feature.name);
    if (!column) throw new RangeError(`no raw column for ${feature.name}`);
    features[feature.name] =
      column instanceof Float64Array
        ? numericReference(column, bins, pick(column))
        : categoricalReference(column);
  }
  return {
    window: options.window,
    bins,
    sampleSize: options.sampleRows.length,
    features,
    score: numericReference(options.scores, bins, pick(options.scores)),
  };
}
