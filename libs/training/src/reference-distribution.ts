import { binCounts, quantileBinEdges } from '@streamscore/drift';
import type { CategoricalReference, NumericReference } from '@streamscore/models';

/** Rounds a value for storage: the manifest stays small and the sample keeps 7 significant digits. */
function compact(value: number): number {
  return Number(value.toPrecision(7));
}

export function numericReference(
  values: ArrayLike<number>,
  bins: number,
  sample: ArrayLike<number>,
): NumericReference {
  // Binned by libs/drift's rule, the one the drift monitor applies to live windows. Float32 scores
  // widen to float64 exactly.
  const reference = values instanceof Float64Array ? values : Float64Array.from(values);
  const edges = quantileBinEdges(reference, bins);
  return {
    kind: 'numeric',
    edges: Array.from(edges),
    proportions: Array.from(binCounts(edges, reference), (count) => count / reference.length),
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
