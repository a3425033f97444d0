/**
 * Exact null distribution of the two-sample Kolmogorov–Smirnov statistic by lattice-path counting,
 * ported from scipy 1.10 (scipy/stats/_stats_py.py `_compute_prob_outside_square`,
 * `_count_paths_outside_method`, `_attempt_exact_2kssamp`; scipy/stats/_stats_pythran.py
 * `_compute_outer_prob_inside_method`). References: Hodges (1958), "The significance probability of
 * the Smirnov two-sample test", Arkiv för Matematik 3(43); Viehmann (2021), arXiv:2102.08037.
 */
import { binom } from './special-functions';

export type KsAlternative = 'two-sided' | 'less' | 'greater';

/** Pr(D_{n,n} >= h/n): Horner-like alternating sum, each term divided by binom(2n, n). */
export function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    p = p1 * (1 - p);
  }
  return 2 * p;
}

/**
 * 1 − (proportion of lattice paths from (0,0) to (m,n) staying strictly inside |x/m − y/n| < h/lcm),
 * computed directly with Viehmann's recursion for 1 − p, keeping a sliding window of one column.
 */
export function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const a = new Float64Array(lenA).fill(1);
  a.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = ((a[jj + minj - lastminj] ?? 1) * i + val * j) / (i + j);
      a[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) a.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return a[maxj - minj - 1] ?? Number.NaN;
}

/**
 * Number of paths from (0,0) to (m,n) that reach m·y <= n·x − h·g somewhere (the one-sided event).
 * Returns a non-finite value as soon as the float arithmetic overflows: scipy runs this under
 * np.errstate(over='raise', invalid='raise') and treats that as "exact computation failed".
 */
export function countPathsOutside(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  const lxj = n + Math.floor((mg - h) / mg);
  if (lxj <= 0) return binom(m + n, n);
  const xj = new Float64Array(lxj);
  for (let j = 0; j < lxj; j++) xj[j] = Math.floor((h + mg * j + ng - 1) / ng);
  const b = new Float64Array(lxj);
  b[0] = 1;
  for (let j = 1; j < lxj; j++) {
    const xjj = xj[j] ?? 0;
    let bj = binom(xjj + j, j);
    for (let i = 0; i < j; i++) bj -= binom(xjj - (xj[i] ?? 0) + j - i, j - i) * (b[i] ?? 0);
    if (!Number.isFinite(bj)) return bj;
    b[j] = bj;
  }
  let numPaths = 0;
  for (let j = 0; j < lxj; j++) numPaths += (b[j] ?? 0) * binom(m - (xj[j] ?? 0) + (n - j), n - j);
  return numPaths;
}

export interface ExactAttempt {
  readonly success: boolean;
  /** The statistic snapped to the lattice, h / lcm(n1, n2), as scipy returns it. */
  readonly d: number;
  readonly prob: number;
}

/** numpy's round: half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 ? 2 * Math.round(x / 2) : r;
}

export function attemptExact(
  n1: number,
  n2: number,
  g: number,
  d0: number,
  alternative: KsAlternative,
): ExactAttempt {
  const lcm = (n1 / g) * n2;
  const h = roundHalfEven(d0 * lcm);
  const d = h / lcm;
  if (h === 0) return { success: true, d, prob: 1 };
  let prob: number;
  if (alternative === 'two-sided') {
    prob = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
  } else if (n1 === n2) {
    // binom(2n, n−h)/binom(2n, n) as a product, avoiding binom's rounding (as scipy does).
    prob = 1;
    for (let j = 0; j < h; j++) prob *= (n1 - j) / (n1 + j + 1);
  } else {
    const numPaths = countPathsOutside(n1, n2, g, h);
    const total = binom(n1 + n2, n1);
    if (!Number.isFinite(numPaths) || !Number.isFinite(total) || numPaths > total) {
      return { success: false, d, prob: Number.NaN };
    }
    prob = numPaths / total;
  }
  if (!(prob >= 0 && prob <= 1)) return { success: false, d, prob };
  return { success: true, d, prob };
}
