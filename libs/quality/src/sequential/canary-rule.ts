import { binaryLogLossTerm } from '../metrics/log-loss';
import { checkBinaryInputs } from '../metrics/binary-inputs';
import { minimumSampleVariance, mixtureVariance, type CanaryRule } from './canary-design';
import { guardrailBreaches, type GuardrailBreach, type ServiceHealth } from './guardrails';
import { confidenceSequenceHalfWidth, mixturePValue } from './mixture-sprt';
import { addValues, NO_MOMENTS, sampleVariance, type Moments } from './moments';

/**
 * The canary decision (issue #21 item 3): promote, roll back or continue, from the per-event
 * log-loss difference d = logloss(candidate) − logloss(active), positive when the candidate is worse.
 * Shadow versions score the same events: their differences are paired, θ̂ = mean d, V̂ = s²_d/n.
 * Canaries serve a share of traffic: two independent streams, θ̂ = mean_c − mean_a,
 * V̂ = s²_c/n_c + s²_a/n_a. Events enter in event-time order as each label horizon expires.
 *
 * Why a mixture SPRT and not alpha spending: the stream is looked at after every expired horizon,
 * an unplanned and unbounded number of times, at information fractions nobody schedules. Group
 * sequential boundaries with an alpha-spending function (Lan–DeMets) need the looks' information
 * fractions and the final information fixed, or at least bounded, in advance; the mSPRT's p-value and
 * confidence sequence are valid at every n simultaneously (Ville's inequality on a martingale), so
 * looking more often never inflates the error. The price is a wider interval than a fixed-n test at
 * the same n, which the design pays by waiting longer (canary-design.ts).
 *
 * The variance is a plug-in estimate (the running sample variance), as in Johari et al. §4: exact
 * validity needs σ² known. It is used only from the minimum sample on (at least `minEventsFloor`
 * events per stream and V̂ ≤ V_min), where its relative error is O(1/√n), a few percent, which moves
 * the boundary by as much; the seeded Monte Carlo spec measures the resulting error rate against α.
 *
 * The rule, at each look:
 *  1. a guardrail breach → rollback (at any n);
 *  2. before the minimum sample and below maxEvents → continue;
 *  3. confidence sequence entirely above 0 (lower > 0) → rollback: the candidate is significantly
 *     worse, by any amount (a margin on rollback would keep a candidate known to be worse);
 *  4. its upper bound below δ → promote: non-inferior by the margin;
 *  5. at maxEvents candidate events → rollback: not shown non-inferior (the upper bound is ≥ δ);
 *  6. otherwise continue.
 * The always-valid p-value (H₀: θ = 0) is the running minimum of min(1, 1/Λₙ) over the looks at or
 * after the minimum sample (or at maxEvents). It is below α exactly when a look's sequence excluded 0.
 */

export type CanaryState =
  | { readonly comparison: 'paired'; readonly differences: Moments; readonly pValue: number }
  | {
      readonly comparison: 'two-sample';
      readonly candidate: Moments;
      readonly active: Moments;
      readonly pValue: number;
    };

export type CanaryAction = 'promote' | 'rollback' | 'continue';

export type CanaryReason =
  | 'guardrail breached'
  | 'collecting the minimum sample'
  | 'candidate worse'
  | 'non-inferior'
  | 'undecided'
  | 'maximum reached, not shown non-inferior';

export interface CanaryDecision {
  readonly action: CanaryAction;
  readonly reason: CanaryReason;
  readonly candidateEvents: number;
  readonly activeEvents: number;
  readonly minimumSampleReached: boolean;
  /** θ̂: mean log-loss of the candidate minus the active's, nats per event; undefined before any event. */
  readonly effect: number | undefined;
  /** The level-(1 − α) confidence sequence at this look; undefined until the variance is. */
  readonly lower: number | undefined;
  readonly upper: number | undefined;
  /** Always-valid p-value for "no difference"; 1 before the minimum sample. */
  readonly pValue: number;
  readonly guardrailBreaches: readonly GuardrailBreach[];
}

export function startCanary(comparison: CanaryState['comparison']): CanaryState {
  return comparison === 'paired'
    ? { comparison, differences: NO_MOMENTS, pValue: 1 }
    : { comparison, candidate: NO_MOMENTS, active: NO_MOMENTS, pValue: 1 };
}

/** Per-event d = logloss(candidate) − logloss(active) for two models scored on the same labelled events. */
export function pairedLogLossDifferences(
  candidateScores: ArrayLike<number>,
  activeScores: ArrayLike<number>,
  labels: ArrayLike<number>,
): Float64Array {
  checkBinaryInputs(candidateScores, labels, 'pairedLogLossDifferences');
  checkBinaryInputs(activeScores, labels, 'pairedLogLossDifferences');
  return Float64Array.from(
    { length: labels.length },
    (_, i) =>
      binaryLogLossTerm(candidateScores[i] ?? 0, labels[i] ?? 0) -
      binaryLogLossTerm(activeScores[i] ?? 0, labels[i] ?? 0),
  );
}

/** Per-event log-losses of one stream (for the two-sample comparison). */
export function binaryLogLossTerms(scores: ArrayLike<number>, labels: ArrayLike<number>): Float64Array {
  checkBinaryInputs(scores, labels, 'binaryLogLossTerms');
  return Float64Array.from({ length: labels.length }, (_, i) =>
    binaryLogLossTerm(scores[i] ?? 0, labels[i] ?? 0),
  );
}

export function observePaired(state: CanaryState, differences: ArrayLike<number>): CanaryState {
  if (state.comparison !== 'paired') throw new TypeError('observePaired: this canary compares two samples');
  return { ...state, differences: addValues(state.differences, differences) };
}

export function observeTwoSample(
  state: CanaryState,
  candidateLosses: ArrayLike<number>,
  activeLosses: ArrayLike<number>,
): CanaryState {
  if (state.comparison !== 'two-sample') throw new TypeError('observeTwoSample: this canary is paired');
  return {
    ...state,
    candidate: addValues(state.candidate, candidateLosses),
    active: addValues(state.active, activeLosses),
  };
}

interface Estimate {
  readonly candidateEvents: number;
  readonly activeEvents: number;
  readonly effect: number | undefined;
  readonly variance: number | undefined;
}

function estimate(state: CanaryState): Estimate {
  if (state.comparison === 'paired') {
    const n = state.differences.count;
    const s2 = sampleVariance(state.differences);
    return {
      candidateEvents: n,
      activeEvents: n,
      effect: n > 0 ? state.differences.mean : undefined,
      variance: s2 === undefined ? undefined : s2 / n,
    };
  }
  const { candidate, active } = state;
  const sc = sampleVariance(candidate);
  const sa = sampleVariance(active);
  return {
    candidateEvents: candidate.count,
    activeEvents: active.count,
    effect: candidate.count > 0 && active.count > 0 ? candidate.mean - active.mean : undefined,
    variance: sc === undefined || sa === undefined ? undefined : sc / candidate.count + sa / active.count,
  };
}

/** τ² and V_min of a rule, computed once per rule object: a stream looks thousands of times. */
const designs = new WeakMap<CanaryRule, { readonly tau2: number; readonly minimumVariance: number }>();
function designOf(rule: CanaryRule): { readonly tau2: number; readonly minimumVariance: number } {
  let design = designs.get(rule);
  if (!design) {
    if (!(rule.marginLogLoss > 0))
      throw new RangeError(`canary rule: marginLogLoss must be > 0, got ${rule.marginLogLoss}`);
    design = { tau2: mixtureVariance(rule), minimumVariance: minimumSampleVariance(rule) };
    designs.set(rule, design);
  }
  return design;
}

/** One look: the decision now, and the state carrying the running always-valid p-value. */
export function lookAtCanary(
  state: CanaryState,
  rule: CanaryRule,
  health?: { readonly candidate: ServiceHealth; readonly active: ServiceHealth },
): { readonly state: CanaryState; readonly decision: CanaryDecision } {
  const { candidateEvents, activeEvents, effect, variance } = estimate(state);
  const breaches = health ? guardrailBreaches(health.candidate, health.active, rule.guardrails) : [];
  const { tau2, minimumVariance } = designOf(rule);
  const halfWidth =
    effect === undefined || variance === undefined
      ? undefined
      : confidenceSequenceHalfWidth(variance, tau2, rule.alpha);
  const lower = halfWidth === undefined || effect === undefined ? undefined : effect - halfWidth;
  const upper = halfWidth === undefined || effect === undefined ? undefined : effect + halfWidth;
  const minimumSampleReached =
    Math.min(candidateEvents, activeEvents) >= rule.minEventsFloor &&
    variance !== undefined &&
    variance <= minimumVariance;
  const atMaximum = candidateEvents >= rule.maxEvents;
  // Evidence counts from the minimum sample on, or at the maximum, where the rule must decide.
  const evidenceCounts = minimumSampleReached || atMaximum;
  const pValue =
    evidenceCounts && effect !== undefined && variance !== undefined
      ? Math.min(state.pValue, mixturePValue(effect, variance, tau2))
      : state.pValue;

  const [action, reason] = ((): [CanaryAction, CanaryReason] => {
    if (breaches.length > 0) return ['rollback', 'guardrail breached'];
    if (evidenceCounts && lower !== undefined && upper !== undefined) {
      if (lower > 0) return ['rollback', 'candidate worse'];
      if (upper < rule.marginLogLoss) return ['promote', 'non-inferior'];
    }
    if (atMaximum) return ['rollback', 'maximum reached, not shown non-inferior'];
    return ['continue', minimumSampleReached ? 'undecided' : 'collecting the minimum sample'];
  })();

  return {
    state: { ...state, pValue },
    decision: {
      action,
      reason,
      candidateEvents,
      activeEvents,
      minimumSampleReached,
      effect,
      lower,
      upper,
      pValue,
      guardrailBreaches: breaches,
    },
  };
}
