/**
 * Population Stability Index, PSI = Σ (a_i − e_i)·ln(a_i/e_i), with e the reference (expected)
 * proportions and a the current (actual) ones, over bins fixed from the reference.
 * Empty bins would make ln(a/e) infinite, hence smoothing:
 * - 'laplace' (default, alpha 0.5): p_i = (count_i + alpha)/(n + alpha·B), additive smoothing;
 * - 'evidently': p_i = count_i/n, with zero proportions replaced by 0.0001, as Evidently's
 *   psi stat test does (evidently/calculations/stattests/psi.py, `sub_psi`).
 */
import type { Sample } from '../ks/ks-2samp';
import { binCounts } from './bin-counts';
import { quantileBinEdges } from './quantile-bin-edges';

export type PsiSmoothing =
  { readonly kind: 'laplace'; readonly alpha: number } | { readonly kind: 'evidently' };

export const DEFAULT_PSI_SMOOTHING: PsiSmoothing = { kind: 'laplace', alpha: 0.5 };
export const DEFAULT_PSI_BINS = 10;
const EVIDENTLY_ZERO_FILL = 0.0001;

export interface PsiResult {
  readonly value: number;
  /** Each bin's term (a_i − e_i)·ln(a_i/e_i); every term is >= 0. */
  readonly perBin: Float64Array;
}

export interface PsiOptions {
  readonly bins?: number;
  readonly smoothing?: PsiSmoothing;
}

export interface NumericPsiResult extends PsiResult {
  readonly edges: Float64Array;
  readonly referenceCounts: Float64Array;
  readonly currentCounts: Float64Array;
}

function proportions(counts: ArrayLike<number>, smoothing: PsiSmoothing): Float64Array {
  const bins = counts.length;
  let total = 0;
  for (let i = 0; i < bins; i++) {
    const c = counts[i] ?? 0;
    if (!(c >= 0) || !Number.isFinite(c)) throw new RangeError(`psiFromCounts: invalid count ${c}`);
    total += c;
  }
  const out = new Float64Array(bins);
  if (smoothing.kind === 'laplace') {
    if (!(smoothing.alpha > 0)) throw new RangeError('psiFromCounts: laplace alpha must be > 0');
    const denominator = total + smoothing.alpha * bins;
    for (let i = 0; i < bins; i++) out[i] = ((counts[i] ?? 0) + smoothing.alpha) / denominator;
  } else {
    if (total === 0) throw new RangeError('psiFromCounts: evidently smoothing needs a non-empty sample');
    for (let i = 0; i < bins; i++) {
      const p = (counts[i] ?? 0) / total;
      out[i] = p === 0 ? EVIDENTLY_ZERO_FILL : p;
    }
  }
  return out;
}

export function psiFromCounts(
  referenceCounts: ArrayLike<number>,
  currentCounts: ArrayLike<number>,
  options: { readonly smoothing?: PsiSmoothing } = {},
): PsiResult {
  const { smoothing = DEFAULT_PSI_SMOOTHING } = options;
  if (referenceCounts.length !== currentCounts.length || referenceCounts.length === 0) {
    throw new RangeError(
      `psiFromCounts: need equal, non-zero bin counts, got ${referenceCounts.length} and ${currentCounts.length}`,
    );
  }
  const expected = proportions(referenceCounts, smoothing);
  const actual = proportions(currentCounts, smoothing);
  const perBin = new Float64Array(expected.length);
  let value = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] ?? 0;
    const a = actual[i] ?? 0;
    const term = (a - e) * Math.log(a / e);
    perBin[i] = term;
    value += term;
  }
  return { value, perBin };
}

/** PSI of a numeric feature with B quantile bins fixed from the reference. */
export function psi(reference: Sample, current: Sample, options: PsiOptions = {}): NumericPsiResult {
  const { bins = DEFAULT_PSI_BINS, smoothing = DEFAULT_PSI_SMOOTHING } = options;
  const edges = quantileBinEdges(reference, bins);
  const referenceCounts = binCounts(edges, reference);
  const currentCounts = binCounts(edges, current);
  return {
    ...psiFromCounts(referenceCounts, currentCounts, { smoothing }),
    edges,
    referenceCounts,
    currentCounts,
  };
}
