/**
 * Operational guardrails of a canary or shadow version (issue #21 item 3): its dead-letter rate may
 * exceed the active version's by at most 0.1 percentage points, and its scoring p99 latency may be at
 * most 1.5 × the active's. Either breach rolls the candidate back whatever its log-loss says: a model
 * that loses events or slows the stream is not a candidate however well it scores.
 */
export interface ServiceHealth {
  /** Dead-lettered events / events received, in [0, 1]. */
  readonly deadLetterRate: number;
  readonly scoringP99Ms: number;
}

export interface GuardrailLimits {
  /** Allowed excess of the dead-letter rate over the active's, as a fraction (0.001 = 0.1 pp). */
  readonly deadLetterRateExcess: number;
  /** Allowed ratio of the scoring p99 to the active's. */
  readonly scoringP99Ratio: number;
}

export const DEFAULT_GUARDRAILS: GuardrailLimits = { deadLetterRateExcess: 0.001, scoringP99Ratio: 1.5 };

export interface GuardrailBreach {
  readonly guardrail: 'dead-letter rate' | 'scoring p99';
  readonly candidate: number;
  /** The highest value that would have passed. */
  readonly limit: number;
}

/** The breached guardrails; empty when the candidate passes (a value equal to its limit passes). */
export function guardrailBreaches(
  candidate: ServiceHealth,
  active: ServiceHealth,
  limits: GuardrailLimits = DEFAULT_GUARDRAILS,
): GuardrailBreach[] {
  const breaches: GuardrailBreach[] = [];
  const deadLetterLimit = active.deadLetterRate + limits.deadLetterRateExcess;
  if (!(candidate.deadLetterRate <= deadLetterLimit)) {
    breaches.push({
      guardrail: 'dead-letter rate',
      candidate: candidate.deadLetterRate,
      limit: deadLetterLimit,
    });
  }
  const latencyLimit = active.scoringP99Ms * limits.scoringP99Ratio;
  if (!(candidate.scoringP99Ms <= latencyLimit)) {
    breaches.push({ guardrail: 'scoring p99', candidate: candidate.scoringP99Ms, limit: latencyLimit });
  }
  return breaches;
}
