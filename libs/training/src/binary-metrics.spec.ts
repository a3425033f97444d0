import { baseRateMetrics, singleFeatureScores } from './baselines';
import { logLoss, rocAuc } from './binary-metrics';

describe('rocAuc', () => {
  it('should equal the share of correctly ordered positive/negative pairs', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
  });

  it('should count ties as one half', () => {
    expect(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toBe(0.875);
  });
});

describe('logLoss', () => {
  it('should be the mean binary cross-entropy', () => {
    expect(logLoss([1, 0], [0.8, 0.4])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 14);
  });
});

describe('baselines', () => {
  it('should score the base rate with the training positive rate', () => {
    const metrics = baseRateMetrics([1, 0, 0, 0], [1, 0]);
    expect(metrics.auc).toBe(0.5);
    expect(metrics.logLoss).toBeCloseTo(-(Math.log(0.25) + Math.log(0.75)) / 2, 14);
  });

  it('should learn a smoothed positive rate per category', () => {
    const scores = singleFeatureScores(['a', 'a', 'b', 'b'], [1, 1, 0, 0], ['a', 'b', 'z']);
    // m-estimate with 10 prior rows at rate 0.5: (2 + 5) / 12, (0 + 5) / 12, unseen = prior.
    expect(Array.from(scores)).toEqual([7 / 12, 5 / 12, 0.5]);
  });
});
