import { checkBinaryInputs } from './binary-inputs';
import { midranks } from './midranks';

/**
 * ROC AUC is undefined unless both classes are present (sklearn raises, pROC refuses): the result
 * says so as a value, with the missing class, instead of NaN or a throw, because a live window with
 * only negatives is ordinary data, not a bug.
 */
export type RocAuc =
  | { readonly defined: true; readonly value: number; readonly positives: number; readonly negatives: number }
  | { readonly defined: false; readonly reason: 'no positive labels' | 'no negative labels' | 'no events' };

/**
 * ROC AUC as the Mann–Whitney statistic: the chance a random positive outscores a random negative,
 * ties counted one half — from the mid-ranks of all scores, (R₁ − m(m+1)/2)/(m·n), with R₁ the rank
 * sum of the m positives and n negatives. Equal to sklearn's roc_auc_score (trapezoidal ROC area)
 * and pROC's auc(), ties included.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): RocAuc {
  checkBinaryInputs(scores, labels, 'rocAuc');
  return aucFromMidranks(midranks(scores), labels);
}

/** The Mann–Whitney AUC from the mid-ranks of all scores (DeLong's components reuse these ranks). */
export function aucFromMidranks(ranks: ArrayLike<number>, labels: ArrayLike<number>): RocAuc {
  let positives = 0;
  let positiveRankSum = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) {
      positives++;
      positiveRankSum += ranks[i] ?? 0;
    }
  }
  const negatives = labels.length - positives;
  if (labels.length === 0) return { defined: false, reason: 'no events' };
  if (positives === 0) return { defined: false, reason: 'no positive labels' };
  if (negatives === 0) return { defined: false, reason: 'no negative labels' };
  const value = (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
  return { defined: true, value, positives, negatives };
}
