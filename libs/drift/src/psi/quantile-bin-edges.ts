/**
 * Bin edges fixed from a reference sample: the inner edges are the k/B quantiles (k = 1..B−1) by
 * numpy's default 'linear' method (Hyndman & Fan type 7: h = (n−1)·q, interpolate between the
 * order statistics around h), with duplicates removed so tied references do not create empty bins.
 */
import type { Sample } from '../ks/ks-2samp';

/** numpy.quantile(sorted, q) with method='linear', on an ascending, non-empty array. */
export function linearQuantile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const g = h - lo;
  const below = sorted[lo] ?? Number.NaN;
  const above = sorted[Math.min(lo + 1, sorted.length - 1)] ?? Number.NaN;
  // numpy's _lerp: a + (b − a)·t, switching to b − (b − a)·(1 − t) for t >= 0.5 (monotone, exact at ends).
  const diff = above - below;
  return g >= 0.5 ? above - diff * (1 - g) : below + diff * g;
}

export function quantileBinEdges(reference: Sample, bins: number): Float64Array {
  if (!Number.isInteger(bins) || bins < 1)
    throw new RangeError(`quantileBinEdges: bins must be a positive integer, got ${bins}`);
  if (reference.length === 0) throw new RangeError('quantileBinEdges: reference must not be empty');
  const sorted = Float64Array.from(reference).sort();
  if (Number.isNaN(sorted[sorted.length - 1]))
    throw new RangeError('quantileBinEdges: reference contains NaN');
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    // np.linspace(0, 1, B + 1)[k] = k · (1/B)
    const edge = linearQuantile(sorted, k * (1 / bins));
    if (edges.length === 0 || edge !== edges[edges.length - 1]) edges.push(edge);
  }
  return Float64Array.from(edges);
}
