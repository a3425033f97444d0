import { midranks } from '../metrics/midranks';
import { aucFromMidranks, type RocAuc } from '../metrics/roc-auc';

/**
 * DeLong's structural components (placements), by the O(n log n) algorithm of Sun & Xu (2014, IEEE
 * Signal Processing Letters 21(11), "Fast implementation of DeLong's algorithm for comparing the
 * areas under correlated ROC curves"): with T_z the mid-ranks of all scores and T_x, T_y those within
 * the m positives and the n negatives,
 *   V10_i = (T_z,i − T_x,i)/n   the share of negatives a positive outscores (ties ½),
 *   V01_j = 1 − (T_z,j − T_y,j)/m   the share of positives that outscore a negative.
 * Both average to the AUC. pROC's delongPlacements computes the same quantities.
 */
export interface StructuralComponents {
  readonly auc: number;
  readonly positives: number;
  readonly negatives: number;
  readonly v10: Float64Array;
  readonly v01: Float64Array;
}

export type StructuralComponentsResult =
  ({ readonly defined: true } & StructuralComponents) | { readonly defined: false; readonly reason: string };

/** Scores and labels are checked by the caller. DeLong's variance needs two events of each class. */
export function structuralComponents(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
): StructuralComponentsResult {
  const all = midranks(scores);
  const auc: RocAuc = aucFromMidranks(all, labels);
  if (!auc.defined) return auc;
  if (auc.positives < 2 || auc.negatives < 2) {
    return { defined: false, reason: 'DeLong needs at least two events of each class' };
  }
  const positiveScores: number[] = [];
  const negativeScores: number[] = [];
  for (let i = 0; i < labels.length; i++)
    (labels[i] === 1 ? positiveScores : negativeScores).push(scores[i] ?? 0);
  const withinPositives = midranks(positiveScores);
  const withinNegatives = midranks(negativeScores);
  const m = auc.positives;
  const n = auc.negatives;
  const v10 = new Float64Array(m);
  const v01 = new Float64Array(n);
  let i = 0;
  let j = 0;
  for (let k = 0; k < labels.length; k++) {
    const rank = all[k] ?? 0;
    if (labels[k] === 1) {
      v10[i] = (rank - (withinPositives[i] ?? 0)) / n;
      i++;
    } else {
      v01[j] = 1 - (rank - (withinNegatives[j] ?? 0)) / m;
      j++;
    }
  }
  return { defined: true, auc: auc.value, positives: m, negatives: n, v10, v01 };
}

/** Σ (a_i − meanA)(b_i − meanB) / (k − 1): the sample covariance of two placement vectors. */
export function placementCovariance(a: Float64Array, meanA: number, b: Float64Array, meanB: number): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += ((a[i] ?? 0) - meanA) * ((b[i] ?? 0) - meanB);
  return sum / (a.length - 1);
}

/** DeLong's variance of one AUC: S10/m + S01/n. */
export function aucVariance(c: StructuralComponents): number {
  return (
    placementCovariance(c.v10, c.auc, c.v10, c.auc) / c.positives +
    placementCovariance(c.v01, c.auc, c.v01, c.auc) / c.negatives
  );
}
