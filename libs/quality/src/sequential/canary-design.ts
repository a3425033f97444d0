import { normalQuantile } from '../distributions/normal';
import { DEFAULT_GUARDRAILS, type GuardrailLimits } from './guardrails';

/**
 * The canary rule's settings and the sample sizes they imply. The decision metric is the mean
 * per-event log-loss difference θ = E[logloss(candidate) − logloss(active)] in nats per event
 * (positive: candidate worse); δ is the non-inferiority margin on θ.
 */
export interface CanaryRule {
  /** δ > 0: a candidate worse than the active by less than δ nats per event may be promoted. */
  readonly marginLogLoss: number;
  /** The confidence sequence's level is 1 − α; also the bound on wrong decisions under H₀. */
  readonly alpha: number;
  /** 1 − β of the fixed-n design that sets the minimum sample. */
  readonly power: number;
  /** Events per stream before the plug-in variance is trusted, whatever the formula says. */
  readonly minEventsFloor: number;
  /** Candidate events at which the rule must promote or roll back. */
  readonly maxEvents: number;
  readonly guardrails: GuardrailLimits;
}

export const DEFAULT_CANARY_RULE = {
  alpha: 0.05,
  power: 0.8,
  minEventsFloor: 1_000,
  guardrails: DEFAULT_GUARDRAILS,
} satisfies Partial<CanaryRule>;

/**
 * The mixing variance τ². The confidence sequence's half-width at variance V is
 * h² = V·f(τ²/V) with f(r) = (1 + 1/r)·ln((1 + r)/α²), smallest at the r* solving r = ln((1 + r)/α²)
 * (then f = 1 + r*; r* ≈ 8.21 for α = 0.05). We spend that optimum where it matters most: at the
 * variance V_max = δ²/(4(1 + r*)) where the full width 2h first reaches δ, so τ² = r*·V_max =
 * r*δ²/(4(1 + r*)) (τ ≈ 0.47δ at α = 0.05). It depends on δ and α only, never on the data, so the
 * mixture stays fixed and Λₙ stays a martingale.
 */
export function mixtureVariance(rule: Pick<CanaryRule, 'marginLogLoss' | 'alpha'>): number {
  const r = optimalVarianceRatio(rule.alpha);
  return (r * rule.marginLogLoss ** 2) / (4 * (1 + r));
}

/** r* = ln((1 + r*)/α²), by fixed-point iteration (a contraction: the slope 1/(1 + r) < 1). */
function optimalVarianceRatio(alpha: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must lie in (0, 1), got ${alpha}`);
  let r = -2 * Math.log(alpha);
  for (let i = 0; i < 200; i++) {
    const next = Math.log((1 + r) / (alpha * alpha));
    if (Math.abs(next - r) <= 1e-15 * r) return next;
    r = next;
  }
  return r;
}

/**
 * The variance of the estimate at which the minimum sample is reached: that of the fixed-n design
 * with a two-sided level-α z test and power 1 − β at θ = δ, V_min = δ²/(z₁₋α/₂ + z₁₋β)². For paired
 * differences with variance σ² that is n_min = (z₁₋α/₂ + z₁₋β)²·σ²/δ² events (7.85·σ²/δ² at α = 0.05,
 * 80 % power). No look before it counts: fewer events could not support a decision even without
 * repeated looks, and the plug-in variance needs them.
 */
export function minimumSampleVariance(rule: Pick<CanaryRule, 'marginLogLoss' | 'alpha' | 'power'>): number {
  const z = normalQuantile(1 - rule.alpha / 2) + normalQuantile(rule.power);
  return (rule.marginLogLoss / z) ** 2;
}

/**
 * The variance of the estimate at which the confidence sequence is δ wide (see mixtureVariance).
 * Reached by maxEvents, it guarantees a decision that is right with probability ≥ 1 − α at both
 * design points: an equal candidate (θ = 0) is promoted unless the sequence ever misses 0, a
 * candidate worse by δ is rolled back unless the sequence ever misses δ.
 */
export function maximumSampleVariance(rule: Pick<CanaryRule, 'marginLogLoss' | 'alpha'>): number {
  return rule.marginLogLoss ** 2 / (4 * (1 + optimalVarianceRatio(rule.alpha)));
}

/**
 * Candidate events needed for the minimum sample and for a δ-wide confidence sequence, given a
 * planning guess of the per-candidate-event variance: σ²_d for paired differences, or
 * σ²_c + σ²_a·(n_c/n_a) for two streams (a canary on share s has n_c/n_a = s/(1 − s)). The minimum is
 * never below the floor. Use `maximum` to set maxEvents.
 */
export function plannedCandidateEvents(
  rule: Pick<CanaryRule, 'marginLogLoss' | 'alpha' | 'power' | 'minEventsFloor'>,
  perCandidateEventVariance: number,
): { readonly minimum: number; readonly maximum: number } {
  return {
    minimum: Math.max(
      rule.minEventsFloor,
      Math.ceil(perCandidateEventVariance / minimumSampleVariance(rule)),
    ),
    maximum: Math.max(
      rule.minEventsFloor,
      Math.ceil(perCandidateEventVariance / maximumSampleVariance(rule)),
    ),
  };
}
