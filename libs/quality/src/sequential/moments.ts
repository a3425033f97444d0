/**
 * Count, mean and sum of squared deviations of a stream of values, updated one value at a time
 * (Welford 1962) so a long stream keeps its variance without cancellation, and merged across batches
 * (Chan, Golub & LeVeque 1979). Immutable: each update returns a new summary.
 */
export interface Moments {
  readonly count: number;
  readonly mean: number;
  readonly squaredDeviations: number;
}

export const NO_MOMENTS: Moments = { count: 0, mean: 0, squaredDeviations: 0 };

export function addValues(moments: Moments, values: ArrayLike<number>): Moments {
  let { count, mean, squaredDeviations } = moments;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] ?? Number.NaN;
    count++;
    const delta = x - mean;
    mean += delta / count;
    squaredDeviations += delta * (x - mean);
  }
  // A NaN or infinite value leaves a NaN or infinite sum behind: one check per batch catches it.
  if (!Number.isFinite(mean) || !Number.isFinite(squaredDeviations)) {
    throw new RangeError('addValues: a value is not finite');
  }
  return { count, mean, squaredDeviations };
}

export function mergeMoments(a: Moments, b: Moments): Moments {
  const count = a.count + b.count;
  if (count === 0) return NO_MOMENTS;
  const delta = b.mean - a.mean;
  return {
    count,
    mean: a.mean + (delta * b.count) / count,
    squaredDeviations:
      a.squaredDeviations + b.squaredDeviations + (delta * delta * a.count * b.count) / count,
  };
}

/** The unbiased sample variance; undefined below two values. */
export function sampleVariance(moments: Moments): number | undefined {
  return moments.count < 2 ? undefined : moments.squaredDeviations / (moments.count - 1);
}
