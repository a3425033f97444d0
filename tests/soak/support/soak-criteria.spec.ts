import { judgeService, leastSquaresSlope, median, percentile, type ServiceMinute } from './soak-criteria';

const minutes = (rss: readonly number[], lag: readonly number[]): ServiceMinute[] =>
  rss.map((rssMiB, i) => ({ minute: i + 1, rssMiB, lag: lag[i] ?? 0 }));

describe('soak criteria', () => {
  describe('leastSquaresSlope', () => {
    it('should give the slope of points on a line', () => {
      expect(
        leastSquaresSlope([
          [1, 3],
          [2, 5],
          [3, 7],
        ]),
      ).toBeCloseTo(2);
    });

    it('should give 0 for a single point', () => {
      expect(leastSquaresSlope([[4, 100]])).toBe(0);
    });
  });

  describe('percentile and median', () => {
    it('should take the nearest rank', () => {
      const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
      expect(percentile(sorted, 0.99)).toBe(99);
      expect(percentile(sorted, 0.5)).toBe(50);
      expect(percentile([], 0.99)).toBe(0);
      expect(median([5, 1, 3])).toBe(3);
    });
  });

  describe('judgeService', () => {
    it('should fit the RSS slope over the minutes after the warm-up only', () => {
      // Minutes 1–2 fill caches (+100 MiB); minutes 3–6 grow 1 MiB a minute: 10 MiB per 10 minutes.
      const verdict = judgeService('x', minutes([100, 200, 201, 202, 203, 204], [0, 0, 0, 0, 0, 0]), 2, 500);
      expect(verdict.rssSlopeMiBPer10Min).toBeCloseTo(10);
      expect(verdict.rssPass).toBe(true);
    });

    it('should fail a service growing more than 16 MiB per 10 minutes', () => {
      const verdict = judgeService('x', minutes([100, 100, 102, 104, 106], [0, 0, 0, 0, 0]), 2, 500);
      expect(verdict.rssSlopeMiBPer10Min).toBeCloseTo(20);
      expect(verdict.rssPass).toBe(false);
    });

    it('should allow the lag to end one micro-batch above the warm-up minute, no more', () => {
      expect(judgeService('x', minutes([1, 1, 1, 1], [0, 300, 900, 800]), 2, 500).lagPass).toBe(true);
      expect(judgeService('x', minutes([1, 1, 1, 1], [0, 300, 900, 801]), 2, 500).lagPass).toBe(false);
    });

    it('should refuse fewer than two minutes after the warm-up', () => {
      expect(() => judgeService('x', minutes([1, 1, 1], [0, 0, 0]), 2, 500)).toThrow(RangeError);
    });
  });
});
