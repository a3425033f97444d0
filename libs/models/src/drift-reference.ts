import type { CategoricalReference, NumericReference } from './manifest-types';

/**
 * Inner quantile bin edges with numpy's default ('linear') interpolation: the q-quantile of sorted
 * x is x[h] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]) with h = (n − 1)q, for q = 1/B … (B−1)/B. Duplicate edges
 * are removed, so a feature with few distinct values gets fewer bins. This is the drift library's
 * convention (issue 7): outer bins open, bin index = number of inner edges <= x.
 */
export function quantileBinEdges(values: ArrayLike<number>, bins: number): number[] {
  if (values.length === 0) throw new RangeError('quantile edges of an empty reference');
  const sorted = Float64Array.from(values).sort();
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const h = ((sorted.length - 1) * k) / bins;
    const low = Math.floor(h);
    const lower = sorted[low] ?? Number.NaN;
    const upper = sorted[Math.min(low + 1, sorted.length - 1)] ?? lower;
    const edge = lower + (h - low) * (upper - lower);
    if (edges.length === 0 || edge !== edges[edges.length - 1]) edges.push(edge);
  }
  return edges;
}

/** Number of inner edges <= x (binary search over sorted edges). */
export function binIndex(edges: readonly number[], x: number): number {
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((edges[mid] ?? Number.POSITIVE_INFINITY) <= x) low = mid + 1;
    else high = mid;
  }
  return low;
}

export function binProportions(values: ArrayLike<number>, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    const bin = binIndex(edges, values[i] ?? Number.NaN);
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return counts.map((count) => count / values.length);
}

/** Rounds a value for storage: the manifest stays small and the sample keeps 7 significant digits. */
function compact(value: number): number {
  return Number(value.toPrecision(7));
}

export function numericReference(
  values: ArrayLike<number>,
  bins: number,
  sample: ArrayLike<number>,
): NumericReference {
  const edges = quantileBinEdges(values, bins);
  return {
    kind: 'numeric',
    edges,
    proportions: binProportions(values, edges),
    sample: Array.from(sample, compact),
  };
}

/** One bin per category, most frequent first (ties by name, for a stable manifest). */
export function categoricalReference(values: readonly (string | null)[]): CategoricalReference {
  const counts = new Map<string, number>();
  let total = 0;
  for (const value of values) {
    if (value === null) continue;
    counts.set(value, (counts.get(value) ?? 0) + 1);
    total++;
  }
  if (total === 0) throw new RangeError('categorical reference of no values');
  const ordered = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return {
    kind: 'categorical',
    categories: ordered.map(([category]) => category),
    proportions: ordered.map(([, count]) => count / total),
  };
}
