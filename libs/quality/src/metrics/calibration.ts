/**
 * Expected calibration error over equal-width score bins, weighted by bin count:
 * ECE = Σ_b (n_b / N)·|mean score_b − positive rate_b|.
 *
 * Bins follow sklearn.calibration.calibration_curve(strategy='uniform'): edges np.linspace(0, 1,
 * B + 1) (k·(1/B), so 0.30000000000000004 and not 0.3), and a score goes to
 * np.searchsorted(inner edges, p, side='left') — the number of inner edges strictly below it — so bins
 * are (lower, upper], the first also holding 0. calibration_curve drops empty bins; here they stay,
 * with count 0 and no means, so every window reports the same B bins.
 */
export const CALIBRATION_BINS = 10;

export interface CalibrationBin {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** Mean score in the bin; undefined when the bin is empty. */
  readonly meanScore: number | undefined;
  /** Share of positive labels in the bin; undefined when the bin is empty. */
  readonly positiveRate: number | undefined;
}

export interface Calibration {
  /** Undefined when there are no events. */
  readonly expectedCalibrationError: number | undefined;
  readonly bins: readonly CalibrationBin[];
}

/** The edge k of B equal-width bins, as numpy's linspace computes it. */
const edge = (k: number, bins: number): number => k * (1 / bins);

/** The bin of score p ∈ [0, 1]: how many inner edges lie strictly below p. */
export function calibrationBinIndex(p: number, bins: number = CALIBRATION_BINS): number {
  let index = 0;
  while (index < bins - 1 && edge(index + 1, bins) < p) index++;
  return index;
}

/** Scores and labels are checked by the caller (binaryWindowMetrics or a test). */
export function calibration(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  bins: number = CALIBRATION_BINS,
): Calibration {
  if (!Number.isInteger(bins) || bins < 1)
    throw new RangeError(`calibration: bins must be a positive integer, got ${bins}`);
  const counts = new Float64Array(bins);
  const scoreSums = new Float64Array(bins);
  const positives = new Float64Array(bins);
  for (let i = 0; i < scores.length; i++) {
    const p = scores[i] ?? Number.NaN;
    const b = calibrationBinIndex(p, bins);
    counts[b] = (counts[b] ?? 0) + 1;
    scoreSums[b] = (scoreSums[b] ?? 0) + p;
    positives[b] = (positives[b] ?? 0) + (labels[i] ?? 0);
  }
  const total = scores.length;
  let ece = 0;
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const count = counts[b] ?? 0;
    const meanScore = count > 0 ? (scoreSums[b] ?? 0) / count : undefined;
    const positiveRate = count > 0 ? (positives[b] ?? 0) / count : undefined;
    if (meanScore !== undefined && positiveRate !== undefined) {
      ece += (count / total) * Math.abs(meanScore - positiveRate);
    }
    out.push({ lower: edge(b, bins), upper: edge(b + 1, bins), count, meanScore, positiveRate });
  }
  return { expectedCalibrationError: total > 0 ? ece : undefined, bins: out };
}
