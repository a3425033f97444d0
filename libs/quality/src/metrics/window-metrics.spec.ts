import reference from '../fixtures/window-metrics.json';
import { expectRelative } from '../fixtures/expect-relative';
import { binaryLogLoss, binaryWindowMetrics, brierScore } from './binary-window-metrics';
import { calibration, calibrationBinIndex } from './calibration';
import { binaryLogLossTerm, multiclassLogLoss } from './log-loss';
import { regressionWindowMetrics } from './regression-metrics';
import { rocAuc } from './roc-auc';

const { versions } = reference;

describe(`window metrics against scikit-learn ${versions['scikit-learn']} (${reference.regenerate})`, () => {
  describe('binaryWindowMetrics', () => {
    it.each(reference.binary.map((c) => [c.name, c] as const))('should match %s', (_name, c) => {
      const metrics = binaryWindowMetrics(c.scores, c.labels);
      const r = c.reference;
      expect(metrics?.count).toBe(r.count);
      expectRelative(metrics?.positiveRate, r.positiveRate);
      expectRelative(metrics?.meanScore, r.meanScore);
      if (r.auc === null) expect(metrics?.auc.defined).toBe(false);
      else expectRelative(metrics?.auc.defined ? metrics.auc.value : undefined, r.auc);
      expectRelative(metrics?.logLoss, r.logLoss);
      expectRelative(metrics?.brierScore, r.brierScore);
      const bins = metrics?.calibration.bins ?? [];
      expect(bins.map((b) => b.count)).toEqual(r.binCounts);
      // calibration_curve reports non-empty bins only, in bin order.
      const nonEmpty = bins.filter((b) => b.count > 0);
      nonEmpty.forEach((b, i) => {
        expectRelative(b.meanScore, r.nonEmptyMeanScores[i] ?? Number.NaN);
        expectRelative(b.positiveRate, r.nonEmptyPositiveRates[i] ?? Number.NaN);
      });
      expectRelative(metrics?.calibration.expectedCalibrationError, r.expectedCalibrationError);
    });

    it('should be undefined for a window without labelled events', () => {
      expect(binaryWindowMetrics([], [])).toBeUndefined();
    });

    it('should reject scores outside [0, 1] and labels other than 0 and 1', () => {
      expect(() => binaryWindowMetrics([1.2], [1])).toThrow(RangeError);
      expect(() => binaryWindowMetrics([0.2], [2])).toThrow(RangeError);
      expect(() => binaryWindowMetrics([0.2, 0.3], [1])).toThrow(RangeError);
    });
  });

  describe('rocAuc', () => {
    it('should say which class is missing instead of returning a number', () => {
      expect(rocAuc([0.1, 0.7], [0, 0])).toEqual({ defined: false, reason: 'no positive labels' });
      expect(rocAuc([0.1, 0.7], [1, 1])).toEqual({ defined: false, reason: 'no negative labels' });
      expect(rocAuc([], [])).toEqual({ defined: false, reason: 'no events' });
    });

    it('should count a tie between classes as one half', () => {
      // Pairs (positive, negative): (0.5, 0.5) tie → ½, (0.5, 0.2) → 1, (0.9, 0.5) → 1, (0.9, 0.2) → 1.
      expect(rocAuc([0.5, 0.5, 0.2, 0.9], [0, 1, 0, 1])).toEqual({
        defined: true,
        value: 0.875,
        positives: 2,
        negatives: 2,
      });
    });
  });

  describe('log-loss clipping (sklearn 1.2: eps = 2^-52, clip then renormalise)', () => {
    it('should cost a confident mistake −ln(2^−52) ≈ 36.04 nats', () => {
      expect(binaryLogLossTerm(0, 1)).toBeCloseTo(-Math.log(Number.EPSILON), 12);
      expect(binaryLogLossTerm(1, 0)).toBeCloseTo(-Math.log(Number.EPSILON), 1);
      expect(binaryLogLoss([0.8, 0.4], [1, 0])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 15);
    });

    it('should match the three-class reference, unnormalised rows and zeros included', () => {
      const c = reference.multiclass[0]!;
      expectRelative(multiclassLogLoss(c.probabilities, c.classes), c.logLoss);
    });

    it('should reject a class index outside the probability vector', () => {
      expect(() => multiclassLogLoss([[0.5, 0.5]], [2])).toThrow(RangeError);
    });
  });

  describe('brierScore', () => {
    it('should be the mean squared difference', () => {
      expect(brierScore([0.2, 0.9], [0, 1])).toBeCloseTo((0.04 + 0.01) / 2, 15);
    });
  });

  describe('calibration', () => {
    it('should close bins on the right like np.searchsorted(side="left") on linspace edges', () => {
      expect(
        [0, 0.1, 0.1000001, 0.3, 0.30000000000000004, 0.3000001, 0.95, 1].map((p) => calibrationBinIndex(p)),
      ).toEqual([0, 0, 1, 2, 2, 3, 9, 9]);
    });

    it('should keep empty bins, with no means, and weight the gap by the bin count', () => {
      const c = calibration([0.05, 0.05, 0.95], [0, 1, 1]);
      expect(c.bins).toHaveLength(10);
      expect(c.bins[4]).toEqual({
        lower: 0.4,
        upper: 0.5,
        count: 0,
        meanScore: undefined,
        positiveRate: undefined,
      });
      // (2/3)·|0.05 − 0.5| + (1/3)·|0.95 − 1|
      expect(c.expectedCalibrationError).toBeCloseTo((2 / 3) * 0.45 + (1 / 3) * 0.05, 15);
    });
  });

  describe('regressionWindowMetrics', () => {
    it('should match mean_absolute_error and the root of mean_squared_error', () => {
      const c = reference.regression[0]!;
      const metrics = regressionWindowMetrics(c.predictions, c.targets);
      expectRelative(metrics?.meanAbsoluteError, c.meanAbsoluteError);
      expectRelative(metrics?.rootMeanSquaredError, c.rootMeanSquaredError);
      expect(regressionWindowMetrics([], [])).toBeUndefined();
    });
  });
});
