import { binIndex, binProportions, categoricalReference, quantileBinEdges } from './drift-reference';

describe('quantileBinEdges', () => {
  it('should match numpy.quantile with linear interpolation', () => {
    // np.quantile(np.arange(1, 11), np.arange(1, 10) / 10), numpy 2.4
    const edges = quantileBinEdges([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 10);
    [1.9, 2.8, 3.7, 4.6, 5.5, 6.4, 7.3, 8.2, 9.1].forEach((expected, i) => {
      expect(edges[i]).toBeCloseTo(expected, 12);
    });
  });

  it('should drop duplicate edges', () => {
    // np.quantile([0,0,0,0,1,1,5,9], np.arange(1,10)/10) = [0,0,0,0,0.5,1,1,3.4,6.2]
    const edges = quantileBinEdges([0, 0, 0, 0, 1, 1, 5, 9], 10);
    expect(edges.length).toBe(5);
    [0, 0.5, 1, 3.4, 6.2].forEach((expected, i) => {
      expect(edges[i]).toBeCloseTo(expected, 12);
    });
  });
});

describe('binIndex', () => {
  it('should count the inner edges <= x, with open outer bins', () => {
    const edges = [0, 0.5, 1];
    expect([-100, 0, 0.2, 0.5, 0.99, 1, 1e9].map((x) => binIndex(edges, x))).toEqual([0, 1, 1, 2, 2, 3, 3]);
  });
});

describe('binProportions', () => {
  it('should give the share of values per bin', () => {
    expect(binProportions([0, 0, 0, 0, 1, 1, 5, 9], [0, 1, 5])).toEqual([0, 0.5, 0.25, 0.25]);
  });
});

describe('categoricalReference', () => {
  it('should order categories by frequency then name and ignore missing values', () => {
    expect(categoricalReference(['b', 'a', null, 'c', 'a', 'c'])).toEqual({
      kind: 'categorical',
      categories: ['a', 'c', 'b'],
      proportions: [0.4, 0.4, 0.2],
    });
  });
});
