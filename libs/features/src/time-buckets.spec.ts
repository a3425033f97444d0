import {
  bucketStartOf,
  bucketStartsIn,
  isCompleteAsOf,
  readCutoffOf,
  slabStartOf,
  windowAsOf,
} from './time-buckets';

describe('time buckets', () => {
  it('should align buckets to multiples of bucketMs, also before the epoch', () => {
    expect(bucketStartOf(0, 60_000)).toBe(0);
    expect(bucketStartOf(59_999, 60_000)).toBe(0);
    expect(bucketStartOf(60_000, 60_000)).toBe(60_000);
    expect(bucketStartOf(-1, 60_000)).toBe(-60_000);
  });

  describe('windowAsOf', () => {
    const view = { bucketMs: 60_000, windowMs: 300_000, allowedLatenessMs: 120_000 };

    it('should end the window at the start of the bucket holding atMs − allowedLatenessMs', () => {
      expect(readCutoffOf(245_000, view)).toBe(120_000);
      expect(windowAsOf(245_000, view)).toEqual({ fromMs: -180_000, toMs: 120_000 });
      expect(windowAsOf(240_000, view)).toEqual({ fromMs: -180_000, toMs: 120_000 });
      expect(windowAsOf(239_999, view)).toEqual({ fromMs: -240_000, toMs: 60_000 });
    });

    it('should end at the start of at’s own bucket when the view allows no lateness', () => {
      expect(windowAsOf(125_000, { ...view, allowedLatenessMs: 0 })).toEqual({
        fromMs: -180_000,
        toMs: 120_000,
      });
    });

    it('should be complete as of the newest event time once the watermark trails it by the lateness', () => {
      // Newest event 10:30 min, watermark = 10:30 − 2 min = 8:30: a read as of 10:30 ends at 8 min.
      const newest = 630_000;
      const watermark = newest - view.allowedLatenessMs;
      expect(isCompleteAsOf(newest, view, watermark)).toBe(true);
      expect(isCompleteAsOf(newest + 60_000, view, watermark)).toBe(false);
      expect(isCompleteAsOf(newest, view, null)).toBe(false);
    });
  });

  it('should list the window buckets in ascending order and never more than two slabs', () => {
    const range = windowAsOf(1_000_000, { bucketMs: 60_000, windowMs: 300_000, allowedLatenessMs: 0 });
    const starts = bucketStartsIn(range, 60_000);
    expect(starts).toEqual([660_000, 720_000, 780_000, 840_000, 900_000]);
    expect(new Set(starts.map((start) => slabStartOf(start, 300_000))).size).toBeLessThanOrEqual(2);
  });
});
