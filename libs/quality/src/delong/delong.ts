import { normalCdf, normalQuantile } from '../distributions/normal';
import { studentTCdf } from '../distributions/student-t';
import { checkBinaryInputs } from '../metrics/binary-inputs';
import {
  aucVariance,
  placementCovariance,
  structuralComponents,
  type StructuralComponents,
} from './structural-components';

/**
 * DeLong, DeLong & Clarke-Pearson (1988, Biometrics 44:837) intervals and tests for ROC AUCs, with
 * the conventions of R's pROC 1.18 so its output is the reference: ci.auc(method = "delong") is
 * AUC ± z·√var clipped to [0, 1]; roc.test(method = "delong", paired = TRUE) is a z test of the
 * difference with its covariance; roc.test(paired = FALSE) refers the difference over √(var₁ + var₂)
 * to Student's t with Welch–Satterthwaite degrees of freedom computed from the event counts.
 * AUC evidence for a canary only: the decision itself is the log-loss rule (sequential/).
 */

export type Undefined = { readonly defined: false; readonly reason: string };

export interface AucInterval {
  readonly defined: true;
  readonly auc: number;
  readonly variance: number;
  readonly standardError: number;
  readonly lower: number;
  readonly upper: number;
  readonly positives: number;
  readonly negatives: number;
}

export interface AucDifference {
  readonly defined: true;
  readonly firstAuc: number;
  readonly secondAuc: number;
  /** First AUC minus second AUC. */
  readonly difference: number;
  readonly variance: number;
  readonly standardError: number;
  /** z (paired) or t (unpaired) statistic: difference / standard error. */
  readonly statistic: number;
  /** Two-sided p-value. */
  readonly pValue: number;
  /**
   * Interval for the difference: difference ± z·se (pROC's for the paired test; pROC gives none for
   * the unpaired one, where the normal quantile stands in for t's — under 0.1 % apart from 1,000 df).
   */
  readonly lower: number;
  readonly upper: number;
  /** Welch–Satterthwaite degrees of freedom of the unpaired test only. */
  readonly degreesOfFreedom?: number;
}

export interface LabelledScores {
  readonly scores: ArrayLike<number>;
  readonly labels: ArrayLike<number>;
}

const DEFAULT_CONFIDENCE = 0.95;

function criticalZ(confidenceLevel: number): number {
  if (!(confidenceLevel > 0 && confidenceLevel < 1)) {
    throw new RangeError(`confidence level must lie in (0, 1), got ${confidenceLevel}`);
  }
  return normalQuantile(1 - (1 - confidenceLevel) / 2);
}

/** One AUC with DeLong's variance and interval. */
export function delongAucInterval(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  confidenceLevel = DEFAULT_CONFIDENCE,
): AucInterval | Undefined {
  checkBinaryInputs(scores, labels, 'delongAucInterval');
  const z = criticalZ(confidenceLevel);
  const c = structuralComponents(scores, labels);
  if (!c.defined) return c;
  const variance = aucVariance(c);
  const standardError = Math.sqrt(variance);
  return {
    defined: true,
    auc: c.auc,
    variance,
    standardError,
    lower: Math.max(0, c.auc - z * standardError),
    upper: Math.min(1, c.auc + z * standardError),
    positives: c.positives,
    negatives: c.negatives,
  };
}

/** The difference of two correlated AUCs: two models scored the same events (shadow versions). */
export function delongPairedDifference(
  firstScores: ArrayLike<number>,
  secondScores: ArrayLike<number>,
  labels: ArrayLike<number>,
  confidenceLevel = DEFAULT_CONFIDENCE,
): AucDifference | Undefined {
  checkBinaryInputs(firstScores, labels, 'delongPairedDifference');
  checkBinaryInputs(secondScores, labels, 'delongPairedDifference');
  const z = criticalZ(confidenceLevel);
  const a = structuralComponents(firstScores, labels);
  const b = structuralComponents(secondScores, labels);
  if (!a.defined) return a;
  if (!b.defined) return b;
  const covariance = (x: StructuralComponents, y: StructuralComponents): number =>
    placementCovariance(x.v10, x.auc, y.v10, y.auc) / x.positives +
    placementCovariance(x.v01, x.auc, y.v01, y.auc) / x.negatives;
  // L·S·Lᵀ with L = (1, −1): var₁ + var₂ − 2·cov, summed in pROC's order.
  const variance = covariance(a, a) - covariance(a, b) - (covariance(b, a) - covariance(b, b));
  const standardError = Math.sqrt(variance);
  const difference = a.auc - b.auc;
  // pROC: a zero difference with zero variance (identical scores) is z = 0, not NaN.
  const statistic = difference === 0 && standardError === 0 ? 0 : difference / standardError;
  return {
    defined: true,
    firstAuc: a.auc,
    secondAuc: b.auc,
    difference,
    variance,
    standardError,
    statistic,
    pValue: 2 * normalCdf(-Math.abs(statistic)),
    lower: difference - z * standardError,
    upper: difference + z * standardError,
  };
}

/** The difference of two AUCs on independent samples (a canary on a share of traffic vs the active). */
export function delongUnpairedDifference(
  first: LabelledScores,
  second: LabelledScores,
  confidenceLevel = DEFAULT_CONFIDENCE,
): AucDifference | Undefined {
  checkBinaryInputs(first.scores, first.labels, 'delongUnpairedDifference');
  checkBinaryInputs(second.scores, second.labels, 'delongUnpairedDifference');
  const z = criticalZ(confidenceLevel);
  const a = structuralComponents(first.scores, first.labels);
  const b = structuralComponents(second.scores, second.labels);
  if (!a.defined) return a;
  if (!b.defined) return b;
  const varianceA = aucVariance(a);
  const varianceB = aucVariance(b);
  const variance = varianceA + varianceB;
  const standardError = Math.sqrt(variance);
  const difference = a.auc - b.auc;
  const statistic = difference / standardError;
  const eventsA = a.positives + a.negatives;
  const eventsB = b.positives + b.negatives;
  const degreesOfFreedom = variance ** 2 / (varianceA ** 2 / (eventsA - 1) + varianceB ** 2 / (eventsB - 1));
  return {
    defined: true,
    firstAuc: a.auc,
    secondAuc: b.auc,
    difference,
    variance,
    standardError,
    statistic,
    pValue: 2 * studentTCdf(-Math.abs(statistic), degreesOfFreedom),
    lower: difference - z * standardError,
    upper: difference + z * standardError,
    degreesOfFreedom,
  };
}
