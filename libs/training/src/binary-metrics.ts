/** Clipping keeps log-loss finite for confident mistakes (the sklearn convention, eps = 1e-15). */
const EPSILON = 1e-15;

/** Mean binary cross-entropy. */
export function logLoss(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  if (labels.length === 0) throw new RangeError('log-loss of no rows');
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - EPSILON, Math.max(EPSILON, scores[i] ?? Number.NaN));
    sum -= (labels[i] ?? 0) > 0 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / labels.length;
}

/**
 * ROC AUC as the Mann–Whitney statistic: the probability that a random positive outscores a random
 * negative, ties counted as one half (average ranks).
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = labels.length;
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (scores[a] ?? 0) - (scores[b] ?? 0),
  );
  let positives = 0;
  let positiveRankSum = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    const score = scores[order[i] ?? 0] ?? 0;
    while (j < n && (scores[order[j] ?? 0] ?? 0) === score) j++;
    const averageRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if ((labels[order[k] ?? 0] ?? 0) > 0) {
        positives++;
        positiveRankSum += averageRank;
      }
    }
    i = j;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) throw new RangeError('AUC needs both classes');
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
