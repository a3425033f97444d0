import golden from './golden/multiple-testing.json';
import { benjaminiHochberg, bonferroni } from './multiple-testing';

describe(`multiple-testing corrections (statsmodels ${golden.versions.statsmodels} multipletests)`, () => {
  it.each(golden.cases.map((c, i) => [i, c] as const))('should match case %d', (_i, c) => {
    Array.from(bonferroni(c.pvalues)).forEach((p, i) => {
      expect(p).toBeCloseTo(c.bonferroni[i] ?? Number.NaN, 15);
    });
    Array.from(benjaminiHochberg(c.pvalues)).forEach((p, i) => {
      expect(p).toBeCloseTo(c.benjaminiHochberg[i] ?? Number.NaN, 15);
    });
  });

  it('should keep BH monotone in the p-values and never below the raw p-value', () => {
    const ps = [0.04, 0.01, 0.03, 0.02, 0.5];
    const adj = benjaminiHochberg(ps);
    const order = ps.map((_, i) => i).sort((a, b) => ps[a]! - ps[b]!);
    for (let k = 1; k < order.length; k++)
      expect(adj[order[k]!]!).toBeGreaterThanOrEqual(adj[order[k - 1]!]!);
    ps.forEach((p, i) => {
      expect(adj[i]!).toBeGreaterThanOrEqual(p);
    });
  });

  it('should reject p-values outside [0, 1]', () => {
    expect(() => bonferroni([1.2])).toThrow(RangeError);
    expect(() => benjaminiHochberg([Number.NaN])).toThrow(RangeError);
  });

  it('should return an empty array for no p-values', () => {
    expect(benjaminiHochberg([]).length).toBe(0);
  });
});
