/**
 * Mid-ranks (1-based; tied values share the mean of the ranks they span), by one sort: O(n log n).
 * The Mann–Whitney AUC and DeLong's structural components are both built from them (Sun & Xu 2014,
 * "Fast implementation of DeLong's algorithm", Algorithm "MidRank").
 */
export function midranks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (values[a] ?? 0) - (values[b] ?? 0),
  );
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    const value = values[order[i] ?? 0];
    while (j < n && values[order[j] ?? 0] === value) j++;
    // Positions i..j−1 (0-based) hold ranks i+1..j: their mean is (i + 1 + j) / 2.
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) ranks[order[k] ?? 0] = rank;
    i = j;
  }
  return ranks;
}
