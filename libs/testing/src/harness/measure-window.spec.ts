import { inWindow, measureWindow, percentile } from './measure-window';

const START = 1_700_000_000_000;

describe('measure-window', () => {
  describe('measureWindow / inWindow', () => {
    it('should measure the departures appended in the measure seconds after the warm-up', () => {
      const window = measureWindow(START, 10, 60);
      expect(window).toEqual({ fromMs: START + 10_000, toMs: START + 70_000 });
      expect(inWindow(window, START + 9_999)).toBe(false);
      expect(inWindow(window, START + 10_000)).toBe(true);
      expect(inWindow(window, START + 69_999)).toBe(true);
      expect(inWindow(window, START + 70_000)).toBe(false);
    });

    it('should treat negative seconds as none', () => {
      expect(measureWindow(START, -5, -1)).toEqual({ fromMs: START, toMs: START });
    });
  });

  describe('percentile', () => {
    it('should take the nearest rank, floor(p·n), of sorted values', () => {
      const values = Array.from({ length: 100 }, (_, i) => i + 1);
      expect(percentile(values, 0.5)).toBe(51);
      expect(percentile(values, 0.99)).toBe(100);
      expect(percentile([7], 0.99)).toBe(7);
      expect(percentile([], 0.5)).toBe(0);
    });
  });
});
