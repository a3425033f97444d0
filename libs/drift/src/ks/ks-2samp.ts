/**
 * Two-sample Kolmogorov–Smirnov test with the semantics of scipy.stats.ks_2samp (scipy 1.10,
 * scipy/stats/_stats_py.py): same statistic, same choice of method, same exact lattice-path
 * p-values, same fallback to the asymptotic distribution when the exact computation overflows.
 * One option scipy lacks, off unless given: `asympBelow` skips the exact computation when the
 * asymptotic p-value is already that small.
 */
import { attemptExact, type KsAlternative } from './ks-exact';
import { roundHalfEven } from './ks-exact';
import { clip } from './float-utils';
import { kolmogorovSf } from './kolmogorov-n';

export type { KsAlternative } from './ks-exact';
export type KsMethod = 'auto' | 'exact' | 'asymp';

export interface Ks2SampOptions {
  readonly alternative?: KsAlternative;
  readonly method?: KsMethod;
  /**
   * With method 'auto': keep the asymptotic p-value when it is below this, instead of computing
   * the exact one. The exact computation costs O(n1·n2) and is slowest when the shift is large
   * (250 ms for 10,000 × 8,000 values at D = 0.4, against 2 ms asymptotic), where both p-values
   * are far below any significance level (5.04e-155 vs 1.09e-154 at D = 0.2; 5.148e-11 vs
   * 5.159e-11 at D = 0.05). The result says 'asymp'. Undefined: scipy's behaviour.
   */
  readonly asympBelow?: number;
}

export interface Ks2SampResult {
  /** D (two-sided), D+ ('greater': max F1 − F2) or D− ('less': max F2 − F1). */
  readonly statistic: number;
  readonly pvalue: number;
  /** The method actually used after 'auto' resolution and any exact → asymp fallback. */
  readonly method: 'exact' | 'asymp';
}

/** scipy's MAX_AUTO_N: 'auto' is exact when both samples have at most this many values. */
export const KS_MAX_AUTO_N = 10_000;
const INT32_MAX = 2 ** 31 - 1;

export type Sample = Float64Array | readonly number[];

function sortedCopy(sample: Sample, name: string): Float64Array {
  const copy = Float64Array.from(sample);
  for (const v of copy) {
    if (Number.isNaN(v)) throw new RangeError(`ks2Samp: ${name} contains NaN`);
  }
  return copy.sort();
}

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/**
 * Extremes of F1 − F2 over the pooled sample, where Fi(v) = #{sample i <= v}/ni; evaluated exactly
 * as numpy's searchsorted(side='right')/n so the statistic is bit-identical to scipy's.
 */
export function ecdfDifferenceExtremes(
  a: Float64Array,
  b: Float64Array,
): { maxDiff: number; minDiff: number } {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let maxDiff = -Infinity;
  let minDiff = Infinity;
  while (i < n1 || j < n2) {
    const va = i < n1 ? (a[i] ?? Infinity) : Infinity;
    const vb = j < n2 ? (b[j] ?? Infinity) : Infinity;
    const v = va <= vb ? va : vb;
    while (i < n1 && (a[i] ?? Infinity) <= v) i++;
    while (j < n2 && (b[j] ?? Infinity) <= v) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxDiff) maxDiff = diff;
    if (diff < minDiff) minDiff = diff;
  }
  return { maxDiff, minDiff };
}

/** Hodges (1958) eq. 5.3 approximation for the one-sided tail; m must be the larger sample. */
function oneSidedAsymptotic(n1: number, n2: number, d: number): number {
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const en = (m * n) / (m + n);
  const z = Math.sqrt(en) * d;
  const expt = -2 * z ** 2 - (2 * z * (m + 2 * n)) / Math.sqrt(m * n * (m + n)) / 3;
  return Math.exp(expt);
}

function asymptoticP(n1: number, n2: number, d: number, alternative: KsAlternative): number {
  if (alternative !== 'two-sided') return oneSidedAsymptotic(n1, n2, d);
  const en = (Math.max(n1, n2) * Math.min(n1, n2)) / (n1 + n2);
  return kolmogorovSf(roundHalfEven(en), d);
}

export function ks2Samp(data1: Sample, data2: Sample, options: Ks2SampOptions = {}): Ks2SampResult {
  const { alternative = 'two-sided', method = 'auto' } = options;
  const a = sortedCopy(data1, 'data1');
  const b = sortedCopy(data2, 'data2');
  const n1 = a.length;
  const n2 = b.length;
  if (Math.min(n1, n2) === 0) throw new RangeError('ks2Samp: samples must not be empty');

  const { maxDiff, minDiff } = ecdfDifferenceExtremes(a, b);
  const minS = clip(0 - minDiff, 0, 1); // 0 − x, not −x: no negative zero statistic
  const maxS = maxDiff;
  let d = alternative === 'less' || (alternative === 'two-sided' && minS > maxS) ? minS : maxS;

  const g = gcd(n1, n2);
  let mode: 'exact' | 'asymp';
  if (method === 'auto') mode = Math.max(n1, n2) <= KS_MAX_AUTO_N ? 'exact' : 'asymp';
  else if (method === 'exact') mode = n1 / g >= INT32_MAX / (n2 / g) ? 'asymp' : 'exact';
  else mode = 'asymp';

  let prob = Number.NaN;
  if (mode === 'exact' && method === 'auto' && options.asympBelow !== undefined) {
    const asymp = asymptoticP(n1, n2, d, alternative);
    if (asymp < options.asympBelow) {
      mode = 'asymp';
      prob = asymp;
    }
  }
  if (mode === 'exact') {
    const attempt = attemptExact(n1, n2, g, d, alternative);
    d = attempt.d;
    if (attempt.success) prob = attempt.prob;
    else mode = 'asymp';
  }
  if (mode === 'asymp' && Number.isNaN(prob)) prob = asymptoticP(n1, n2, d, alternative);
  return { statistic: d, pvalue: clip(prob, 0, 1), method: mode };
}
