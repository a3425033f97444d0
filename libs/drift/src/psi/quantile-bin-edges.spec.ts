import { linearQuantile, quantileBinEdges } from './quantile-bin-edges';

describe('quantileBinEdges', () => {
  it('should equal numpy.quantile(x, np.linspace(0, 1, B + 1)[1:-1]) to the last bit', () => {
    // numpy 2.4: np.quantile(np.arange(1., 11.), np.linspace(0, 1, 11)[1:-1]). The 7th edge is
    // 7.300000000000001 because linspace's q is 7·0.1 = 0.7000000000000001, not 7/10.
    expect(Array.from(quantileBinEdges([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 10))).toEqual([
      1.9, 2.8, 3.7, 4.6, 5.5, 6.4, 7.300000000000001, 8.2, 9.1,
    ]);
  });

  it('should drop duplicate edges, so a feature with few distinct values gets fewer bins', () => {
    // np.quantile([0,0,0,0,1,1,5,9], np.linspace(0, 1, 11)[1:-1]) = [0,0,0,0,0.5,1,1,3.400000000000002,6.199999999999999]
    expect(Array.from(quantileBinEdges([0, 0, 0, 0, 1, 1, 5, 9], 10))).toEqual([
      0, 0.5, 1, 3.400000000000002, 6.199999999999999,
    ]);
  });

  it('should refuse bins that are not a positive integer, an empty reference and NaN', () => {
    expect(() => quantileBinEdges([1, 2], 0)).toThrow(RangeError);
    expect(() => quantileBinEdges([1, 2], 2.5)).toThrow(RangeError);
    expect(() => quantileBinEdges([], 10)).toThrow(RangeError);
    expect(() => quantileBinEdges([1, Number.NaN], 10)).toThrow(RangeError);
  });
});

describe('linearQuantile', () => {
  it('should return the order statistics at q = 0 and q = 1', () => {
    const sorted = Float64Array.from([-3, 0.25, 7]);
    expect(linearQuantile(sorted, 0)).toBe(-3);
    expect(linearQuantile(sorted, 1)).toBe(7);
  });
});
