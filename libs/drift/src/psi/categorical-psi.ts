/**
 * PSI of a categorical feature: one bin per reference category (in the order given) plus a last
 * bin for values the reference never had, so a new category shows up as drift instead of vanishing.
 */
import { psiFromCounts, type PsiResult, type PsiSmoothing } from './psi';

export type Category = string | number | boolean;

export function categoricalCounts(categories: readonly Category[], values: Iterable<Category>): Float64Array {
  const index = new Map<Category, number>();
  categories.forEach((c, i) => {
    if (!index.has(c)) index.set(c, i);
  });
  const counts = new Float64Array(categories.length + 1);
  for (const v of values) {
    const i = index.get(v) ?? categories.length;
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return counts;
}

/** Distinct values of the reference in first-seen order: a natural category list. */
export function referenceCategories(reference: Iterable<Category>): Category[] {
  return [...new Set(reference)];
}

export interface CategoricalPsiResult extends PsiResult {
  readonly categories: readonly Category[];
  readonly referenceCounts: Float64Array;
  readonly currentCounts: Float64Array;
}

export function categoricalPsi(
  reference: readonly Category[],
  current: Iterable<Category>,
  options: { readonly categories?: readonly Category[]; readonly smoothing?: PsiSmoothing } = {},
): CategoricalPsiResult {
  const categories = options.categories ?? referenceCategories(reference);
  const referenceCounts = categoricalCounts(categories, reference);
  const currentCounts = categoricalCounts(categories, current);
  const result = options.smoothing
    ? psiFromCounts(referenceCounts, currentCounts, { smoothing: options.smoothing })
    : psiFromCounts(referenceCounts, currentCounts);
  return { ...result, categories, referenceCounts, currentCounts };
}
