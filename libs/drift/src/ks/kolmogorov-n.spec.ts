import golden from '../golden/ks-2samp.json';
import { kolmogorovSf } from './kolmogorov-n';

describe('kolmogorovSf (scipy.stats.kstwo.sf)', () => {
  it.each(golden.kstwoSf.map((c) => [c.n, c.d, c.sf] as const))(
    `should match scipy ${golden.versions.scipy} for n=%d, d=%d`,
    (n, d, sf) => {
      expect(Math.abs(kolmogorovSf(n, d) - sf)).toBeLessThanOrEqual(1e-9);
    },
  );

  it('should be 1 at or below the support (d <= 0.5/n) and 0 at d = 1', () => {
    expect(kolmogorovSf(10, 0.05)).toBe(1);
    expect(kolmogorovSf(10, 1)).toBe(0);
  });

  it('should be NaN for a non-integer or zero n, as scipy argcheck', () => {
    expect(kolmogorovSf(0, 0.3)).toBeNaN();
    expect(kolmogorovSf(2.5, 0.3)).toBeNaN();
  });
});
