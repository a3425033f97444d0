import { normalQuantile } from '../distributions/normal';
import {
  DEFAULT_CANARY_RULE,
  maximumSampleVariance,
  minimumSampleVariance,
  mixtureVariance,
  plannedCandidateEvents,
  type CanaryRule,
} from './canary-design';
import {
  binaryLogLossTerms,
  lookAtCanary,
  observePaired,
  observeTwoSample,
  pairedLogLossDifferences,
  startCanary,
  type CanaryState,
} from './canary-rule';
import { guardrailBreaches } from './guardrails';
import { confidenceSequenceHalfWidth, mixturePValue } from './mixture-sprt';
import { addValues, mergeMoments, NO_MOMENTS, sampleVariance } from './moments';

const RULE: CanaryRule = { ...DEFAULT_CANARY_RULE, marginLogLoss: 0.02, maxEvents: 50_000 };

/** n values μ ± s alternating: mean μ (n even), sample variance s²·n/(n − 1). */
const alternating = (n: number, mean: number, spread: number): Float64Array =>
  Float64Array.from({ length: n }, (_, i) => mean + (i % 2 === 0 ? spread : -spread));

describe('moments', () => {
  it('should match the two-pass mean and variance, merged or not', () => {
    const values = [3, 1.5, -2, 8, 0.25, 4, 4];
    const mean = values.reduce((a, b) => a + b) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
    const whole = addValues(NO_MOMENTS, values);
    const merged = mergeMoments(
      addValues(NO_MOMENTS, values.slice(0, 3)),
      addValues(NO_MOMENTS, values.slice(3)),
    );
    for (const m of [whole, merged]) {
      expect(m.mean).toBeCloseTo(mean, 14);
      expect(sampleVariance(m)).toBeCloseTo(variance, 13);
    }
    expect(sampleVariance(addValues(NO_MOMENTS, [1]))).toBeUndefined();
  });

  it('should reject a value that is not finite', () => {
    expect(() => addValues(NO_MOMENTS, [1, Number.NaN, 2])).toThrow(RangeError);
    expect(() => addValues(NO_MOMENTS, [Infinity])).toThrow(RangeError);
  });
});

describe('mixture SPRT', () => {
  it('should put the confidence sequence where the p-value crosses α', () => {
    const variance = 1e-4;
    const tau2 = 4e-4;
    const h = confidenceSequenceHalfWidth(variance, tau2, 0.05);
    expect(mixturePValue(0.01, variance, tau2, 0.01 + h)).toBeCloseTo(0.05, 12);
    expect(mixturePValue(0.01, variance, tau2, 0.01 - h)).toBeCloseTo(0.05, 12);
    expect(mixturePValue(0.01, variance, tau2, 0.01)).toBe(1);
  });

  it('should be wider than the fixed-n interval at the same variance', () => {
    expect(confidenceSequenceHalfWidth(1e-4, mixtureVariance(RULE), 0.05)).toBeGreaterThan(1.96 * 1e-2);
  });
});

describe('canary design', () => {
  it('should make the sequence exactly δ wide at the maximum-sample variance', () => {
    const v = maximumSampleVariance(RULE);
    expect(2 * confidenceSequenceHalfWidth(v, mixtureVariance(RULE), RULE.alpha)).toBeCloseTo(
      RULE.marginLogLoss,
      15,
    );
    // r* ≈ 8.212 at α = 0.05: V_max = δ²/(4·9.212), τ² = 8.212·V_max.
    expect(mixtureVariance(RULE) / v).toBeCloseTo(8.212, 3);
  });

  it('should take the minimum sample from the fixed-n design: (z₀.₉₇₅ + z₀.₈)²·σ²/δ²', () => {
    const z = normalQuantile(0.975) + normalQuantile(0.8);
    expect(minimumSampleVariance(RULE)).toBeCloseTo((0.02 / z) ** 2, 18);
    // σ² = 0.16: 7.849·0.16/0.0004 = 3,139.6 → 3,140; 4·9.212·0.16/0.0004 = 14,739.2 → 14,740.
    expect(plannedCandidateEvents(RULE, 0.16)).toEqual({ minimum: 3_140, maximum: 14_740 });
    expect(plannedCandidateEvents(RULE, 0.001).minimum).toBe(RULE.minEventsFloor);
  });
});

describe('guardrails', () => {
  const active = { deadLetterRate: 0.002, scoringP99Ms: 100 };
  it('should pass a candidate at its limits', () => {
    expect(guardrailBreaches({ deadLetterRate: 0.003, scoringP99Ms: 150 }, active)).toEqual([]);
  });

  it('should name each breach with its limit', () => {
    expect(guardrailBreaches({ deadLetterRate: 0.0031, scoringP99Ms: 150.5 }, active)).toEqual([
      { guardrail: 'dead-letter rate', candidate: 0.0031, limit: 0.002 + 0.001 },
      { guardrail: 'scoring p99', candidate: 150.5, limit: 150 },
    ]);
  });
});

describe('lookAtCanary', () => {
  const look = (state: CanaryState, rule = RULE) => lookAtCanary(state, rule);

  it('should continue while collecting the minimum sample, with p = 1', () => {
    const { decision } = look(observePaired(startCanary('paired'), alternating(500, 0.5, 0.3)));
    expect(decision).toMatchObject({
      action: 'continue',
      reason: 'collecting the minimum sample',
      pValue: 1,
    });
    expect(decision.effect).toBeCloseTo(0.5, 14);
    expect(look(startCanary('paired')).decision).toMatchObject({ effect: undefined, lower: undefined });
  });

  it('should roll back on a guardrail breach at any n', () => {
    const { decision } = lookAtCanary(startCanary('two-sample'), RULE, {
      candidate: { deadLetterRate: 0.01, scoringP99Ms: 10 },
      active: { deadLetterRate: 0, scoringP99Ms: 10 },
    });
    expect(decision).toMatchObject({ action: 'rollback', reason: 'guardrail breached' });
    expect(decision.guardrailBreaches).toHaveLength(1);
  });

  it('should roll back when the sequence lies above 0, with p below α', () => {
    const { decision } = look(observePaired(startCanary('paired'), alternating(4_000, 0.03, 0.3)));
    expect(decision).toMatchObject({
      action: 'rollback',
      reason: 'candidate worse',
      minimumSampleReached: true,
    });
    expect(decision.lower).toBeGreaterThan(0);
    expect(decision.pValue).toBeLessThan(RULE.alpha);
  });

  it('should promote when the upper bound is below δ', () => {
    const { decision } = look(observePaired(startCanary('paired'), alternating(10_000, 0.001, 0.3)));
    expect(decision).toMatchObject({ action: 'promote', reason: 'non-inferior' });
    expect(decision.upper).toBeLessThan(RULE.marginLogLoss);
    expect(decision.lower).toBeLessThan(0);
  });

  it('should continue when undecided and roll back at maxEvents if not shown non-inferior', () => {
    const data = alternating(4_000, 0.012, 0.3);
    expect(look(observePaired(startCanary('paired'), data)).decision).toMatchObject({
      action: 'continue',
      reason: 'undecided',
    });
    expect(
      look(observePaired(startCanary('paired'), data), { ...RULE, maxEvents: 4_000 }).decision,
    ).toMatchObject({
      action: 'rollback',
      reason: 'maximum reached, not shown non-inferior',
    });
  });

  it('should keep the smallest p-value of the looks after the minimum sample', () => {
    let state = observePaired(startCanary('paired'), alternating(4_000, 0.01, 0.3));
    const first = look(state);
    state = observePaired(first.state, alternating(4_000, -0.01, 0.3));
    const second = look(state);
    expect(first.decision).toMatchObject({ action: 'continue', reason: 'undecided' });
    expect(first.decision.pValue).toBeLessThan(0.5);
    // The second look alone says p = 1 (mean 0); the always-valid p-value keeps the first look's.
    expect(second.decision.effect).toBeCloseTo(0, 15);
    expect(second.decision.pValue).toBe(first.decision.pValue);
  });

  it('should compare two streams by the difference of means and s²_c/n_c + s²_a/n_a', () => {
    const state = observeTwoSample(
      startCanary('two-sample'),
      alternating(2_000, 0.5, 0.4),
      alternating(8_000, 0.45, 0.6),
    );
    const { decision } = look(state);
    const variance = (0.16 * 2_000) / 1_999 / 2_000 + (0.36 * 8_000) / 7_999 / 8_000;
    const h = confidenceSequenceHalfWidth(variance, mixtureVariance(RULE), RULE.alpha);
    expect(decision.effect).toBeCloseTo(0.05, 12);
    expect(decision.upper).toBeCloseTo(0.05 + h, 12);
    expect(decision).toMatchObject({ candidateEvents: 2_000, activeEvents: 8_000 });
    expect(() => observePaired(state, [1])).toThrow(TypeError);
  });

  it('should take per-event log-loss differences from the one log-loss formula', () => {
    const d = pairedLogLossDifferences([0.9, 0.2], [0.8, 0.4], [1, 0]);
    expect(d[0]).toBeCloseTo(-Math.log(0.9) + Math.log(0.8), 15);
    expect(d[1]).toBeCloseTo(-Math.log(0.8) + Math.log(0.6), 15);
    expect(binaryLogLossTerms([0.25], [0])[0]).toBeCloseTo(-Math.log(0.75), 15);
  });
});
