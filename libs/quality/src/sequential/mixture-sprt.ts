/**
 * The normal-mixture sequential probability ratio test (mSPRT) of Johari, Koomen, Pekelis & Walsh
 * (2017, "Peeking at A/B tests: why it matters, and what to do about it", KDD; the "always valid
 * inference" of Optimizely's Stats Engine). For an estimate θ̂ₙ ~ N(θ, Vₙ) that gains information as
 * events arrive, and a mixing distribution θ ~ N(θ₀, τ²) over alternatives, the mixture likelihood
 * ratio against H₀: θ = θ₀ is
 *   Λₙ(θ₀) = √(Vₙ/(Vₙ + τ²)) · exp( τ²(θ̂ₙ − θ₀)² / (2Vₙ(Vₙ + τ²)) ),
 * a martingale under H₀, so by Ville's inequality P(supₙ Λₙ ≥ 1/α) ≤ α: it may be looked at after
 * every event. Inverting it gives the always-valid p-value pₙ = min(1, 1/Λₙ) (kept as a running
 * minimum by the caller) and the confidence sequence θ̂ₙ ± hₙ that holds at all n at once, with
 *   hₙ² = Vₙ(Vₙ + τ²)/τ² · ln((Vₙ + τ²)/(α² Vₙ)).
 * Here Vₙ is σ²/n for paired differences and σ²_c/n_c + σ²_a/n_a for two independent streams.
 */

/** ln Λ(θ₀) for an estimate with variance `variance` and mixing variance τ² (`mixtureVariance`). */
export function logMixtureLikelihoodRatio(
  estimate: number,
  variance: number,
  mixtureVariance: number,
  nullValue = 0,
): number {
  const total = variance + mixtureVariance;
  const gap = estimate - nullValue;
  return 0.5 * Math.log(variance / total) + (mixtureVariance * gap * gap) / (2 * variance * total);
}

/** 1/Λ(θ₀) capped at 1: this look's p-value (the always-valid one is the running minimum). */
export function mixturePValue(
  estimate: number,
  variance: number,
  mixtureVariance: number,
  nullValue = 0,
): number {
  if (variance === 0) return estimate === nullValue ? 1 : 0;
  return Math.min(1, Math.exp(-logMixtureLikelihoodRatio(estimate, variance, mixtureVariance, nullValue)));
}

/** hₙ: the half-width of the level-(1 − α) confidence sequence at this look. */
export function confidenceSequenceHalfWidth(
  variance: number,
  mixtureVariance: number,
  alpha: number,
): number {
  if (variance === 0) return 0;
  const total = variance + mixtureVariance;
  return Math.sqrt(((variance * total) / mixtureVariance) * Math.log(total / (alpha * alpha * variance)));
}
