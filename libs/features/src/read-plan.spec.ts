import { compileView } from './compiled-view';
import { FinalBucketCache } from './final-buckets';
import { decodeReads, planReads } from './read-plan';
import { everyAggregationView } from './testing-views';

const MINUTE = 60_000;
const view = everyAggregationView(); // 1-minute buckets, 5-minute window
const compiled = new Map([[view.name, compileView(view)]]);
const width = compileView(view).bucketFieldNames[0]?.length ?? 0;

function fieldCount(plan: ReturnType<typeof planReads>): number {
  return plan.commands.reduce((n, c) => n + c.fields.length, 0);
}

describe('planReads', () => {
  it('should read each bucket once per batch however many windows share it', () => {
    // Lateness 2 min: windows as of 10, 11 and 12 min end at 8, 9 and 10 min and cover buckets
    // 3–7, 4–8 and 5–9: 7 distinct buckets.
    const queries = [10, 11, 12].map((m) => ({ view: view.name, entity: 'p|z', atMs: m * MINUTE + 1 }));
    const plan = planReads(compiled, '', queries);
    expect(plan.reads).toHaveLength(3);
    expect(plan.fetched).toHaveLength(7);
    // One watermark field, then 7 buckets' fields (all in one slab hash or two).
    expect(fieldCount(plan)).toBe(1 + 7 * width);
  });

  it('should not read the buckets the cache holds, and cache only what the watermark passed', () => {
    const cache = new FinalBucketCache(10);
    const first = [{ view: view.name, entity: 'p|z', atMs: 10 * MINUTE + 1 }];
    const plan = planReads(compiled, '', first, cache);
    expect(plan.fetched).toHaveLength(5);
    // The window ends at 8 min (buckets 3–7). Replies: watermark 6 min, every bucket empty:
    // buckets ending at ≤ 6 min (3, 4, 5) are final.
    const replies = plan.commands.map((c, i) => (i === 0 ? [String(6 * MINUTE)] : c.fields.map(() => null)));
    const [reading] = decodeReads(plan, first, replies, cache);
    expect(reading).toMatchObject({ complete: false, watermarkMs: 6 * MINUTE });
    expect(reading?.values['pair_stats.count']).toBe(0);
    const again = planReads(compiled, '', first, cache);
    expect(again.fetched.map((b) => b.index % 5)).toEqual([6 % 5, 7 % 5]);
    expect(fieldCount(again)).toBe(1 + 2 * width);
  });

  it('should share a window between queries with the same cut-off, and be complete at the watermark', () => {
    // Lateness 2 min: as of 10:00 and 10:59.999 the cut-off is 8 min; as of 11:00 it is 9 min.
    const queries = [10 * MINUTE, 11 * MINUTE - 1, 11 * MINUTE].map((atMs) => ({
      view: view.name,
      entity: 'p|z',
      atMs,
    }));
    const plan = planReads(compiled, '', queries);
    expect(plan.readOfQuery).toEqual([0, 0, 1]);
    const replies = plan.commands.map((c, i) => (i === 0 ? [String(8 * MINUTE)] : c.fields.map(() => null)));
    expect(decodeReads(plan, queries, replies).map((r) => r.complete)).toEqual([true, true, false]);
  });
});
