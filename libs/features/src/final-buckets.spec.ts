import { addRecord, emptyStats, mergeInto, type BucketStats } from './bucket-stats';
import { CachedSlab, FinalBucketCache } from './final-buckets';

function bucket(records: [timeMs: number, value: number][]): BucketStats | null {
  if (records.length === 0) return null;
  const stats = emptyStats(1);
  for (const [timeMs, value] of records) addRecord(stats, timeMs, [value]);
  return stats;
}

function mergedDirectly(buckets: (BucketStats | null)[]): BucketStats {
  const window = emptyStats(1);
  for (const b of buckets) if (b !== null) mergeInto(window, b);
  return window;
}

describe('FinalBucketCache', () => {
  it('should hold at most maxSlabs slabs, dropping the oldest inserted first', () => {
    const cache = new FinalBucketCache(2);
    cache.store('v', 'a', 0, 4, 0, null);
    cache.store('v', 'a', 0, 4, 1, emptyStats(1)); // same slab: no new entry
    cache.store('v', 'b', 0, 4, 0, null);
    expect(cache.size).toBe(2);
    cache.store('w', 'a', 100, 4, 3, null);
    expect(cache.size).toBe(2);
    expect(cache.slab('v', 'a', 0)).toBeUndefined();
    expect(cache.slab('v', 'b', 0)?.buckets).toEqual([null, undefined, undefined, undefined]);
    expect(cache.slab('w', 'a', 100)?.buckets[3]).toBeNull();
    expect(() => {
      cache.store('w', 'a', 100, 4, 4, null);
    }).toThrow(RangeError);
  });

  it('should keep evicting correctly over many insertions', () => {
    const cache = new FinalBucketCache(100);
    for (let i = 0; i < 10_000; i++) cache.store('v', `e${i % 700}`, i, 1, 0, null);
    expect(cache.size).toBe(100);
    expect(cache.slab('v', `e${9_999 % 700}`, 9_999)?.buckets).toEqual([null]);
    expect(cache.slab('v', `e${9_899 % 700}`, 9_899)).toBeUndefined();
    expect(() => new FinalBucketCache(0)).toThrow(RangeError);
  });
});

describe('CachedSlab', () => {
  // Ties on the last time and empty buckets included: the merges must equal a direct merge.
  const buckets = [
    bucket([[1, 5]]),
    null,
    bucket([
      [3, 2],
      [4, 9],
    ]),
    bucket([[4, 11]]),
    null,
    bucket([[6, -1]]),
  ];

  it('should merge every prefix and suffix of cached buckets like a direct merge', () => {
    const slab = new CachedSlab(buckets.length);
    buckets.forEach((b, i) => (slab.buckets[i] = b));
    for (let end = 0; end <= buckets.length; end++) {
      const { reach, merged } = slab.prefix(end);
      expect(reach).toBe(end);
      expect(merged ?? emptyStats(1)).toEqual(mergedDirectly(buckets.slice(0, end)));
    }
    for (let from = buckets.length - 1; from >= 0; from--)
      expect(slab.suffix(from) ?? emptyStats(1)).toEqual(mergedDirectly(buckets.slice(from)));
    // Memoized merges are shared: asking again gives the same objects, unchanged.
    expect(slab.suffix(0)).toBe(slab.suffix(0));
    expect(buckets[0]).toEqual(bucket([[1, 5]]));
  });

  it('should stop a prefix at the first bucket not cached, and give no suffix over one', () => {
    const slab = new CachedSlab(buckets.length);
    [0, 1, 2, 4, 5].forEach((i) => (slab.buckets[i] = buckets[i] ?? null));
    expect(slab.prefix(6).reach).toBe(3);
    expect(slab.suffix(4) ?? emptyStats(1)).toEqual(mergedDirectly(buckets.slice(4)));
    expect(slab.suffix(2)).toBeUndefined();
    slab.buckets[3] = buckets[3] ?? null; // the missing bucket arrives (became final)
    expect(slab.prefix(6).reach).toBe(6);
    expect(slab.suffix(2) ?? emptyStats(1)).toEqual(mergedDirectly(buckets.slice(2)));
    expect(slab.prefix(6).merged).toEqual(mergedDirectly(buckets));
  });
});
