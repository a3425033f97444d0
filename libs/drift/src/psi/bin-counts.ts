/**
 * Counting values into bins fixed by inner edges: bin index = number of inner edges <= x, so the
 * outer bins are open to ±∞ and no value is ever dropped (numpy searchsorted(edges, x, 'right')).
 */
import type { Sample } from '../ks/ks-2samp';

export function binIndex(edges: Float64Array, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((edges[mid] ?? Infinity) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Counts per bin (edges.length + 1 bins). NaN has no bin: it is rejected, not silently dropped. */
export function binCounts(edges: Float64Array, values: Sample): Float64Array {
  const counts = new Float64Array(edges.length + 1);
  for (const x of values) {
    if (Number.isNaN(x)) throw new RangeError('binCounts: values contain NaN');
    const i = binIndex(edges, x);
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return counts;
}

/**
 * Adds values to running counts in place, for windows that keep counts rather than raw values.
 * Returns the same array.
 */
export function accumulateBinCounts(edges: Float64Array, counts: Float64Array, values: Sample): Float64Array {
  if (counts.length !== edges.length + 1) {
    throw new RangeError(`accumulateBinCounts: expected ${edges.length + 1} counts, got ${counts.length}`);
  }
  for (const x of values) {
    if (Number.isNaN(x)) throw new RangeError('accumulateBinCounts: values contain NaN');
    const i = binIndex(edges, x);
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return counts;
}
