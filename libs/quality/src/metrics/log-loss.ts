/**
 * Log-loss exactly as scikit-learn 1.2 (Debian bookworm's python3-sklearn 1.2.1) computes it,
 * sklearn/metrics/_classification.py `log_loss` with its default eps="auto": each probability row is
 * clipped to [ε, 1 − ε] with ε = np.finfo(float64).eps = 2^−52, then divided by its sum (the
 * renormalisation sklearn 1.2 still does), and the loss is −log of the true class's entry. A binary
 * score p is clipped first and then made the row [1 − p, p], in that order, as sklearn does.
 * Clipping keeps a confident mistake finite (≈ 36 nats at most).
 * The per-event term is the one formula: window means and the canary's per-event differences both
 * use it.
 */
const EPSILON = Number.EPSILON;

const clip = (p: number): number => Math.min(1 - EPSILON, Math.max(EPSILON, p));

/** One event's binary log-loss: score p = P(y = 1) in [0, 1], label y ∈ {0, 1}. */
export function binaryLogLossTerm(p: number, y: number): number {
  const positive = clip(p);
  const negative = 1 - positive;
  const total = negative + positive;
  return -Math.log((y === 1 ? positive : negative) / total);
}

/** One event's multi-class log-loss: a probability per class, and the index of the true class. */
export function multiclassLogLossTerm(probabilities: ArrayLike<number>, trueClass: number): number {
  let total = 0;
  for (let k = 0; k < probabilities.length; k++) total += clip(probabilities[k] ?? Number.NaN);
  return -Math.log(clip(probabilities[trueClass] ?? Number.NaN) / total);
}

/**
 * Mean multi-class log-loss over events: `probabilities[i]` is event i's class-probability vector
 * (all the same length K), `classes[i]` its true class index in 0..K−1.
 */
export function multiclassLogLoss(
  probabilities: readonly ArrayLike<number>[],
  classes: ArrayLike<number>,
): number {
  if (probabilities.length !== classes.length) {
    throw new RangeError(`multiclassLogLoss: ${probabilities.length} rows but ${classes.length} labels`);
  }
  if (probabilities.length === 0) throw new RangeError('multiclassLogLoss: no events');
  const width = probabilities[0]?.length ?? 0;
  let sum = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const row = probabilities[i] ?? [];
    const k = classes[i] ?? -1;
    if (row.length !== width)
      throw new RangeError(`multiclassLogLoss: row ${i} has ${row.length} classes, not ${width}`);
    if (!Number.isInteger(k) || k < 0 || k >= width) {
      throw new RangeError(
        `multiclassLogLoss: label ${i} must be a class index in 0..${width - 1}, got ${k}`,
      );
    }
    sum += multiclassLogLossTerm(row, k);
  }
  return sum / probabilities.length;
}
