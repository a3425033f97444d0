import { bucketStartOf, bucketStartsIn, slabStartOf, windowEndingBefore } from './time-buckets';

describe('time buckets', () => {
  it('should align buckets to multiples of bucketMs, also before the epoch', () => {
    expect(bucketStartOf(0, 60_000)).toBe(0);
    expect(bucketStartOf(59_999, 60_000)).toBe(0);
    expect(bucketStartOf(60_000, 60_000)).toBe(60_000);
    expect(bucketStartOf(-1, 60_000)).toBe(-60_000);
  });

  it('should end the window at the start of the bucket holding atMs', () => {
    expect(windowEndingBefore(125_000, 60_000, 300_000)).toEqual({ fromMs: -180_000, toMs: 120_000 });
    expect(windowEndingBefore(120_000, 60_000, 300_000)).toEqual({ fromMs: -180_000, toMs: 120_000 });
  });

  it('should list the window buckets in ascending order and never more than two slabs', () => {
    const range = windowEndingBefore(1_000_000, 60_000, 300_000);
    const starts = bucketStartsIn(range, 60_000);
    expect(starts).toEqual([660_000, 720_000, 780_000, 840_000, 900_000]);
    expect(new Set(starts.map((start) => slabStartOf(start, 300_000))).size).toBeLessThanOrEqual(2);
  });
});
