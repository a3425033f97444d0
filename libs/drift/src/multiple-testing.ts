/**
 * Multiple-testing corrections across features, returning adjusted p-values with the semantics of
 * statsmodels.stats.multitest.multipletests (methods 'bonferroni' and 'fdr_bh'): clipped at 1,
 * Benjamini–Hochberg made monotone by a running minimum from the largest p-value down, results in
 * the input order. statsmodels rejects where the adjusted p-value is <= alpha.
 */

function validated(pvalues: ArrayLike<number>, name: string): number[] {
  const out = Array.from(pvalues);
  for (const p of out) {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`${name}: p-values must lie in [0, 1], got ${p}`);
  }
  return out;
}

/** Bonferroni: min(1, m·p_i). */
export function bonferroni(pvalues: ArrayLike<number>): Float64Array {
  const ps = validated(pvalues, 'bonferroni');
  const m = ps.length;
  return Float64Array.from(ps, (p) => Math.min(1, p * m));
}

/** Benjamini–Hochberg step-up: adjusted p_(i) = min_{j >= i} min(1, m·p_(j)/j) over sorted p-values. */
export function benjaminiHochberg(pvalues: ArrayLike<number>): Float64Array {
  const ps = validated(pvalues, 'benjaminiHochberg');
  const m = ps.length;
  // Stable sort, as statsmodels' argsort(kind='mergesort').
  const order = ps.map((_, i) => i).sort((a, b) => (ps[a] ?? 0) - (ps[b] ?? 0) || a - b);
  const adjusted = new Float64Array(m);
  let running = Infinity;
  for (let rank = m; rank >= 1; rank--) {
    const idx = order[rank - 1] ?? 0;
    // statsmodels divides by the ECDF factor rank/m; same expression, same rounding.
    running = Math.min(running, (ps[idx] ?? 0) / (rank / m));
    adjusted[idx] = Math.min(1, running);
  }
  return adjusted;
}
