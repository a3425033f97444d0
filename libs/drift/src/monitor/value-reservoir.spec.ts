import { ValueReservoir } from './value-reservoir';

describe('ValueReservoir', () => {
  it('should keep every value below its capacity, growing by doubling', () => {
    const reservoir = new ValueReservoir(5_000, 1);
    for (let i = 0; i < 3_000; i++) reservoir.add(i);
    expect(reservoir.size).toBe(3_000);
    expect(Array.from(reservoir.values().subarray(0, 3))).toEqual([0, 1, 2]);
    expect(reservoir.byteLength).toBe(4_096 * 8);
  });

  it('should hold at most its capacity and sample uniformly past it', () => {
    const reservoir = new ValueReservoir(10_000, 7);
    for (let i = 0; i < 1_000_000; i++) reservoir.add(i);
    expect(reservoir.size).toBe(10_000);
    expect(reservoir.seen).toBe(1_000_000);
    expect(reservoir.byteLength).toBe(10_000 * 8);
    const kept = reservoir.values();
    const mean = kept.reduce((a, b) => a + b, 0) / kept.length;
    // Uniform over 0..999,999: mean 500,000, sd of the mean ≈ 288,675/√10,000 ≈ 2,887.
    expect(Math.abs(mean - 500_000)).toBeLessThan(4 * 2_887);
    const lateShare = kept.filter((v) => v >= 500_000).length / kept.length;
    expect(lateShare).toBeGreaterThan(0.47);
    expect(lateShare).toBeLessThan(0.53);
  });

  it('should sample identically for the same seed and values', () => {
    const a = new ValueReservoir(100, 3);
    const b = new ValueReservoir(100, 3);
    for (let i = 0; i < 10_000; i++) {
      a.add(i);
      b.add(i);
    }
    expect(Array.from(a.values())).toEqual(Array.from(b.values()));
  });

  it('should refuse a capacity that is not a positive integer', () => {
    expect(() => new ValueReservoir(0, 1)).toThrow(RangeError);
  });
});
