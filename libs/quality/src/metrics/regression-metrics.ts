/** Regression quality of one window: sklearn's mean_absolute_error and root mean squared error. */
export interface RegressionWindowMetrics {
  readonly count: number;
  readonly meanAbsoluteError: number;
  readonly rootMeanSquaredError: number;
}

/** Undefined for a window without labelled events. Non-finite values are a caller's bug: they throw. */
export function regressionWindowMetrics(
  predictions: ArrayLike<number>,
  targets: ArrayLike<number>,
): RegressionWindowMetrics | undefined {
  if (predictions.length !== targets.length) {
    throw new RangeError(
      `regressionWindowMetrics: ${predictions.length} predictions but ${targets.length} targets`,
    );
  }
  const count = predictions.length;
  if (count === 0) return undefined;
  let absolute = 0;
  let squared = 0;
  for (let i = 0; i < count; i++) {
    const error = (targets[i] ?? Number.NaN) - (predictions[i] ?? Number.NaN);
    if (!Number.isFinite(error)) throw new RangeError(`regressionWindowMetrics: event ${i} is not finite`);
    absolute += Math.abs(error);
    squared += error * error;
  }
  return { count, meanAbsoluteError: absolute / count, rootMeanSquaredError: Math.sqrt(squared / count) };
}
