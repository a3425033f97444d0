import { categoricalReference, numericReference } from './reference-distribution';

describe('numericReference', () => {
  it("should take libs/drift's quantile edges and give the share of values per bin", () => {
    // Edges as numpy.quantile gives them (libs/drift/src/psi/quantile-bin-edges.spec.ts), duplicates dropped.
    const reference = numericReference([0, 0, 0, 0, 1, 1, 5, 9], 10, [1 / 3]);
    expect(reference).toEqual({
      kind: 'numeric',
      edges: [0, 0.5, 1, 3.400000000000002, 6.199999999999999],
      proportions: [0, 0.5, 0, 0.25, 0.125, 0.125],
      sample: [0.3333333],
    });
  });

  it('should bin float32 scores as their exact float64 values', () => {
    const scores = Float32Array.from([0.1, 0.2, 0.3, 0.4]);
    const reference = numericReference(scores, 2, scores);
    expect(reference.edges).toEqual([(Math.fround(0.2) + Math.fround(0.3)) / 2]);
    expect(reference.proportions).toEqual([0.5, 0.5]);
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
