import { chunk } from './chunks';

describe('chunk', () => {
  it('should keep order and bound each micro-batch', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 3)).toEqual([]);
  });

  it('should refuse a non-positive size', () => {
    expect(() => chunk([1], 0)).toThrow(RangeError);
  });
});
