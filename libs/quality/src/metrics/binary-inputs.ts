/**
 * The one check of binary-classifier inputs every metric of this lib applies: same length, scores
 * in [0, 1], labels exactly 0 or 1. Wrong inputs are a caller's bug, so they throw (RangeError, as
 * ONNX Runtime JS does for bad arguments); the service validates events before it counts them.
 */
export function checkBinaryInputs(scores: ArrayLike<number>, labels: ArrayLike<number>, name: string): void {
  if (scores.length !== labels.length) {
    throw new RangeError(`${name}: ${scores.length} scores but ${labels.length} labels`);
  }
  for (let i = 0; i < scores.length; i++) {
    const p = scores[i] ?? Number.NaN;
    if (!(p >= 0 && p <= 1)) throw new RangeError(`${name}: score ${i} must lie in [0, 1], got ${p}`);
    const y = labels[i];
    if (y !== 0 && y !== 1) throw new RangeError(`${name}: label ${i} must be 0 or 1, got ${y}`);
  }
}
