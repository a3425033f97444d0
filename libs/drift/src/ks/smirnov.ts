/**
 * Survival function of the one-sided one-sample Kolmogorov–Smirnov statistic, Pr(D_n^+ >= x):
 * scipy.special.smirnov, following the structure of scipy 1.10's Cephes `_smirnov`
 * (scipy/special/cephes/kolmogorov.c; van Mulbregt, arXiv:1802.06966). The Smirnov/Birnbaum–Tingey
 * sum is evaluated term by term in log space instead of scipy's double-double arithmetic; the
 * choice of sum (lower or upper), the special cases and the early exit are the same.
 */
/* eslint-disable no-loss-of-precision -- constants are quoted digit for digit from scipy/Cephes; they round to
   the same doubles the C compiler produces */
import { clip, twoProduct } from './float-utils';

const MINLOG = -7.451332191019412076235e2;
const SMIRNOV_MAX_COMPUTE_N = 1_000_000;
const SM_UPPER_MAX_TERMS = 3;
const SM_UPPERSUM_MIN_N = 10;
const LN2 = Math.LN2;

interface NxParts {
  /** floor(n·x), computed exactly. */
  readonly floor: number;
  /** n·x − floor(n·x), in [0, 1). */
  readonly alpha: number;
  readonly hi: number;
  readonly lo: number;
}

function splitNx(n: number, x: number): NxParts {
  const [hi, lo] = twoProduct(n, x);
  let fl = Math.floor(hi);
  if (fl === hi && lo < 0) fl -= 1;
  let alpha = hi - fl + lo;
  if (alpha >= 1) {
    fl += 1;
    alpha = 0;
  }
  return { floor: fl, alpha, hi, lo };
}

/** Pr(D_n^+ >= x) for 0 <= x <= 1. */
export function smirnovSf(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1)) return Number.NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;

  const nx = splitNx(n, x);
  const nxfl = nx.floor;
  const alpha = nx.alpha;
  // Terms v = 0..n1mxfl make up the lower sum, v = n1mxceil..n the upper; a term with
  // 1 − x − v/n = 0 belongs to neither.
  let n1mxfl = n - nxfl - (alpha === 0 ? 0 : 1);
  let n1mxceil = n - nxfl;
  if (alpha === 0) {
    n1mxfl -= 1;
    n1mxceil += 1;
  }

  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) return clip(1 - x * Math.pow(1 + x, n - 1), 0, 1);
  if (-2 * n * x * x < MINLOG) return 0;
  if (nxfl >= n - 1) return clip(Math.pow(1 - x, n), 0, 1);
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    // p ~ exp(−(6nx+1)²/(18n))
    const logp = -Math.pow(6 * n * x + 1, 2) / 18 / n;
    return logp < -LN2 ? Math.exp(logp) : 1 + Math.expm1(logp);
  }

  const nUpperTerms = n - n1mxceil + 1;
  const useUpperSum =
    (nUpperTerms <= 1 && x < 0.5) ||
    (n >= SM_UPPERSUM_MIN_N && nUpperTerms <= SM_UPPER_MAX_TERMS && x <= 0.5 / Math.sqrt(n));

  if (useUpperSum) {
    // cdf = x · Σ_{v=n1mxceil..n} C(n,v) (x+v/n)^(v−1) (1−x−v/n)^(n−v); at most three terms, alternating.
    let sum = 0;
    for (let v = n; v >= n1mxceil; v--) {
      const c = Math.exp(logBinomial(n, v));
      const t1 = Math.pow((nx.hi + v + nx.lo) / n, v - 1);
      const t2 = Math.pow((n - v - nx.hi - nx.lo) / n, n - v);
      sum += c * t1 * t2;
    }
    return clip(1 - x * sum, 0, 1);
  }

  // sf = x · Σ_{v=0..n1mxfl} C(n,v) (x+v/n)^(v−1) (1−x−v/n)^(n−v), all terms positive.
  const nTerms = n1mxfl + 1;
  const vmid = Math.floor(n / 2);
  let sum = Math.exp(n * Math.log1p(-x)) / x;
  let logC = 0; // log C(n, v), updated multiplicatively
  for (let v = 1; v < nTerms; v++) {
    logC += Math.log((n - v + 1) / v);
    const up = (nx.hi + v + nx.lo) / n; // x + v/n
    const down = (n - v - nx.hi - nx.lo) / n; // 1 − x − v/n
    const logTerm = logC + (v - 1) * Math.log(up) + (n - v) * Math.log(down);
    const term = Math.exp(logTerm);
    sum += term;
    if (term !== 0) {
      if (4 * (nTerms - v) * term < Number.EPSILON * sum && v !== nTerms - 1) break;
    } else if (v > vmid) {
      break;
    }
  }
  return clip(x * sum, 0, 1);
}

function logBinomial(n: number, k: number): number {
  let s = 0;
  const kk = Math.min(k, n - k);
  for (let i = 1; i <= kk; i++) s += Math.log((n - kk + i) / i);
  return s;
}
