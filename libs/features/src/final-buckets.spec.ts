import { emptyStats } from './bucket-stats';
import { FinalBucketCache } from './final-buckets';

describe('FinalBucketCache', () => {
  it('should hold at most maxSlabs slabs, dropping the oldest inserted first', () => {
    const cache = new FinalBucketCache(2);
    cache.store('v', 'a', 0, 0, null);
    cache.store('v', 'a', 0, 1, emptyStats(1)); // same slab: no new entry
    cache.store('v', 'b', 0, 0, null);
    expect(cache.size).toBe(2);
    cache.store('w', 'a', 100, 3, null);
    expect(cache.size).toBe(2);
    expect(cache.slab('v', 'a', 0)).toBeUndefined();
    expect(cache.slab('v', 'b', 0)).toEqual([null]);
    expect(cache.slab('w', 'a', 100)?.[3]).toBeNull();
  });

  it('should keep evicting correctly over many insertions', () => {
    const cache = new FinalBucketCache(100);
    for (let i = 0; i < 10_000; i++) cache.store('v', `e${i % 700}`, i, 0, null);
    expect(cache.size).toBe(100);
    expect(cache.slab('v', `e${9_999 % 700}`, 9_999)).toEqual([null]);
    expect(cache.slab('v', `e${9_899 % 700}`, 9_899)).toBeUndefined();
    expect(() => new FinalBucketCache(0)).toThrow(RangeError);
  });
});
