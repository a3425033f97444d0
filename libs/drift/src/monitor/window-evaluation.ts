/**
 * Evaluates one closed window against the references: PSI (bin counts against the reference bins)
 * and KS (window values against the reference sample) for every input feature and the score,
 * multiple-testing correction of the input features' KS p-values, the per-feature rule and
 * dataset drift.
 */
import { ks2Samp } from '../ks/ks-2samp';
import { benjaminiHochberg, bonferroni } from '../multiple-testing';
import { psiFromCounts } from '../psi/psi';
import { categoricalDrifts, numericDrifts, type Correction, type DriftRule } from './drift-rule';
import type { NumericSeries, WindowAccumulator, WindowBounds } from './window-accumulator';
import type { PreparedNumericReference } from './references';

export interface HistogramBin {
  /** `< 1.5`, `[1.5, 3)`, `>= 3` for numeric bins; the category, or `(unseen)`. */
  readonly label: string;
  readonly reference: number;
  readonly current: number;
}

export interface FeatureEvaluation {
  readonly feature: string;
  readonly kind: 'numeric' | 'categorical';
  /** Values present in the window (missing values excluded). */
  readonly count: number;
  readonly psi: number | null;
  readonly ksStatistic: number | null;
  readonly ksPValue: number | null;
  /** KS p-value after the multiple-testing correction across the window's numeric input features. */
  readonly ksPValueAdjusted: number | null;
  readonly ksMethod: 'exact' | 'asymp' | null;
  /** Only ever true in a judged window. */
  readonly drifting: boolean;
  /** Reference and current proportions per bin, for people. */
  readonly histogram: readonly HistogramBin[];
}

export interface WindowEvaluation {
  readonly window: WindowBounds;
  readonly events: number;
  /** False below the rule's minimum window size: statistics are informative, nothing drifts. */
  readonly judged: boolean;
  readonly reason: string | null;
  readonly features: readonly FeatureEvaluation[];
  /** The model output's own drift; its KS p-value is not part of the features' correction family. */
  readonly score: FeatureEvaluation;
  readonly driftedFeatures: readonly string[];
  readonly driftShare: number;
  readonly datasetDrift: boolean;
}

const SIGNIFICANT_DIGITS = 4;
const formatEdge = (x: number): string => Number(x.toPrecision(SIGNIFICANT_DIGITS)).toString();

function numericLabels(edges: Float64Array): string[] {
  if (edges.length === 0) return ['all'];
  const labels = [`< ${formatEdge(edges[0] ?? 0)}`];
  for (let i = 1; i < edges.length; i++)
    labels.push(`[${formatEdge(edges[i - 1] ?? 0)}, ${formatEdge(edges[i] ?? 0)})`);
  labels.push(`>= ${formatEdge(edges[edges.length - 1] ?? 0)}`);
  return labels;
}

function histogram(labels: readonly string[], reference: Float64Array, counts: Float64Array): HistogramBin[] {
  let total = 0;
  for (const c of counts) total += c;
  return labels.map((label, i) => ({
    label,
    reference: reference[i] ?? 0,
    current: total > 0 ? (counts[i] ?? 0) / total : 0,
  }));
}

interface NumericStats {
  readonly psi: number | null;
  readonly ksStatistic: number | null;
  readonly ksPValue: number | null;
  readonly ksMethod: 'exact' | 'asymp' | null;
  readonly count: number;
  readonly histogram: HistogramBin[];
}

function numericStats(
  reference: PreparedNumericReference,
  series: NumericSeries,
  rule: DriftRule,
): NumericStats {
  const count = series.values.seen;
  const bins = histogram(numericLabels(reference.edges), reference.proportions, series.counts);
  if (count === 0)
    return { psi: null, ksStatistic: null, ksPValue: null, ksMethod: null, count, histogram: bins };
  const psi = psiFromCounts(reference.counts, series.counts, { smoothing: rule.smoothing }).value;
  const ks = ks2Samp(series.values.values(), reference.sample, {
    method: rule.ksMethod,
    ...(rule.ksAsympBelow === undefined ? {} : { asympBelow: rule.ksAsympBelow }),
  });
  return { psi, ksStatistic: ks.statistic, ksPValue: ks.pvalue, ksMethod: ks.method, count, histogram: bins };
}

function correct(pvalues: readonly number[], correction: Correction): Float64Array {
  if (correction === 'bonferroni') return bonferroni(pvalues);
  if (correction === 'benjamini-hochberg') return benjaminiHochberg(pvalues);
  return Float64Array.from(pvalues);
}

export function evaluateWindow(window: WindowAccumulator, rule: DriftRule): WindowEvaluation {
  const references = window.references;
  const judged = window.events >= rule.minWindowEvents;
  const reason = judged
    ? null
    : `window has ${window.events} events, fewer than the minimum ${rule.minWindowEvents}`;
  const numeric = new Map<number, NumericStats>();
  references.features.forEach((reference, i) => {
    const series = window.features[i];
    if (reference.kind === 'numeric' && series?.kind === 'numeric')
      numeric.set(i, numericStats(reference, series, rule));
  });
  const tested = [...numeric].filter(([, s]) => s.ksPValue !== null);
  const adjusted = correct(
    tested.map(([, s]) => s.ksPValue ?? 1),
    rule.correction,
  );
  const adjustedByIndex = new Map(tested.map(([i], k) => [i, adjusted[k] ?? 1]));

  const features = references.features.map((reference, i): FeatureEvaluation => {
    const series = window.features[i];
    const stats = numeric.get(i);
    if (reference.kind === 'numeric' && stats) {
      const ksPValueAdjusted = adjustedByIndex.get(i) ?? null;
      const drifting =
        judged &&
        stats.psi !== null &&
        stats.ksStatistic !== null &&
        ksPValueAdjusted !== null &&
        numericDrifts(rule, stats.psi, stats.ksStatistic, ksPValueAdjusted);
      return { feature: reference.name, kind: 'numeric', ...stats, ksPValueAdjusted, drifting };
    }
    const counts = series?.counts ?? new Float64Array(0);
    let count = 0;
    for (const c of counts) count += c;
    const psi =
      reference.kind === 'categorical' && count > 0
        ? psiFromCounts(reference.counts, counts, { smoothing: rule.smoothing }).value
        : null;
    const labels = reference.kind === 'categorical' ? [...reference.categories, '(unseen)'] : [];
    return {
      feature: reference.name,
      kind: 'categorical',
      count,
      psi,
      ksStatistic: null,
      ksPValue: null,
      ksPValueAdjusted: null,
      ksMethod: null,
      drifting: judged && psi !== null && categoricalDrifts(rule, psi),
      histogram: histogram(labels, reference.proportions, counts),
    };
  });

  const scoreStats = numericStats(references.score, window.score, rule);
  const score: FeatureEvaluation = {
    feature: 'score',
    kind: 'numeric',
    ...scoreStats,
    ksPValueAdjusted: scoreStats.ksPValue,
    drifting:
      judged &&
      scoreStats.psi !== null &&
      scoreStats.ksStatistic !== null &&
      scoreStats.ksPValue !== null &&
      numericDrifts(rule, scoreStats.psi, scoreStats.ksStatistic, scoreStats.ksPValue),
  };

  const judgedFeatures = features.filter((f) => f.psi !== null);
  const driftedFeatures = features.filter((f) => f.drifting).map((f) => f.feature);
  const driftShare = judgedFeatures.length > 0 ? driftedFeatures.length / judgedFeatures.length : 0;
  return {
    window: window.bounds(),
    events: window.events,
    judged,
    reason,
    features,
    score,
    driftedFeatures,
    driftShare,
    datasetDrift: judged && judgedFeatures.length > 0 && driftShare >= rule.datasetDriftShare,
  };
}
