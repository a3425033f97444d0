import { binIndex, quantileBinEdges } from '@streamscore/drift';
import { logLoss, rocAuc } from './binary-metrics';
import type { BinaryMetrics, RawColumn } from '@streamscore/models';

/** Bins of the single-feature baseline; fine enough for curvature, coarse enough for stable rates. */
export const BASELINE_BINS = 50;
/** Pseudo-rows at the base rate added to every bin (m-estimate smoothing). */
const PRIOR_ROWS = 10;

export function meanLabel(labels: ArrayLike<number>): number {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += (labels[i] ?? 0) > 0 ? 1 : 0;
  return positives / labels.length;
}

/** Base-rate baseline: predict the training positive rate for every row. */
export function baseRateMetrics(
  trainLabels: ArrayLike<number>,
  validationLabels: ArrayLike<number>,
): BinaryMetrics {
  const rate = meanLabel(trainLabels);
  return {
    auc: 0.5,
    logLoss: logLoss(validationLabels, new Float64Array(validationLabels.length).fill(rate)),
  };
}

const NO_EDGES = new Float64Array(0);

function keysOf(column: RawColumn, edges: Float64Array | undefined): (string | number)[] {
  if (column instanceof Float64Array)
    return Array.from(column, (value) => binIndex(edges ?? NO_EDGES, value));
  return column.map((value) => value ?? '');
}

/**
 * A one-feature model: the smoothed positive rate of the label per quantile bin (numeric) or per
 * category (categorical), learnt on the training rows. Non-parametric, so it captures any
 * monotone or non-monotone effect of the feature: a stronger baseline than a one-feature logistic
 * regression.
 */
export function singleFeatureScores(
  train: RawColumn,
  trainLabels: ArrayLike<number>,
  validation: RawColumn,
): Float64Array {
  const edges = train instanceof Float64Array ? quantileBinEdges(train, BASELINE_BINS) : undefined;
  const prior = meanLabel(trainLabels);
  const totals = new Map<string | number, { rows: number; positives: number }>();
  keysOf(train, edges).forEach((key, row) => {
    const entry = totals.get(key) ?? { rows: 0, positives: 0 };
    entry.rows++;
    entry.positives += (trainLabels[row] ?? 0) > 0 ? 1 : 0;
    totals.set(key, entry);
  });
  return Float64Array.from(keysOf(validation, edges), (key) => {
    const entry = totals.get(key) ?? { rows: 0, positives: 0 };
    return (entry.positives + PRIOR_ROWS * prior) / (entry.rows + PRIOR_ROWS);
  });
}

export interface FeatureBaseline extends BinaryMetrics {
  readonly feature: string;
  readonly method: string;
}

/** Tries every feature alone and returns the one with the lowest validation log-loss. */
export function bestSingleFeature(
  features: readonly string[],
  train: ReadonlyMap<string, RawColumn>,
  trainLabels: ArrayLike<number>,
  validation: ReadonlyMap<string, RawColumn>,
  validationLabels: ArrayLike<number>,
): FeatureBaseline {
  let best: FeatureBaseline | undefined;
  for (const feature of features) {
    const trainColumn = train.get(feature);
    const validationColumn = validation.get(feature);
    if (!trainColumn || !validationColumn) throw new RangeError(`no raw column for ${feature}`);
    const scores = singleFeatureScores(trainColumn, trainLabels, validationColumn);
    const method =
      trainColumn instanceof Float64Array
        ? `positive rate per quantile bin (${BASELINE_BINS} bins, m-estimate m=${PRIOR_ROWS})`
        : `positive rate per category (m-estimate m=${PRIOR_ROWS})`;
    const candidate = {
      feature,
      method,
      auc: rocAuc(validationLabels, scores),
      logLoss: logLoss(validationLabels, scores),
    };
    if (!best || candidate.logLoss < best.logLoss) best = candidate;
  }
  if (!best) throw new RangeError('no features to try');
  return best;
}
