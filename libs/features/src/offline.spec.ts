import fc from 'fast-check';
import { featureNames } from './feature-view';
import { computeOffline, computeOfflineRows } from './offline';
import { everyAggregationView } from './testing-views';

const view = everyAggregationView();
const MINUTE = 60_000;

interface Thing {
  id: string;
  a: string;
  b: string;
  time: number;
  x: number;
  y: number;
}

/**
 * The definition, stated directly: records with time in [c − window, c), c the cut-off
 * bucketStart(at − allowedLatenessMs) (1-minute buckets, 2 minutes of lateness).
 */
function reference(records: readonly Thing[], entity: string, atMs: number): Record<string, number | null> {
  const to = Math.floor((atMs - 2 * MINUTE) / MINUTE) * MINUTE;
  const inWindow = records.filter(
    (r) => `${r.a}|${r.b}` === entity && r.time >= to - 5 * MINUTE && r.time < to,
  );
  const seen = new Set<string>();
  const unique = inWindow.filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
  const n = unique.length;
  const xs = unique.map((r) => r.x);
  const lastTime = Math.max(...unique.map((r) => r.time));
  const lastY = Math.max(...unique.filter((r) => r.time === lastTime).map((r) => r.y));
  return {
    'pair_stats.count': n,
    'pair_stats.sum': xs.reduce((s, x) => s + x, 0),
    'pair_stats.mean': n === 0 ? -1 : xs.reduce((s, x) => s + x, 0) / n,
    'pair_stats.min': n === 0 ? null : Math.min(...xs),
    'pair_stats.max': n === 0 ? null : Math.max(...unique.map((r) => r.y)),
    'pair_stats.last': n === 0 ? null : lastY,
    'pair_stats.mean_y': n === 0 ? null : unique.map((r) => r.y).reduce((s, y) => s + y, 0) / n,
  };
}

function expectSameValue(got: number | null | undefined, want: number | null | undefined): void {
  if (want === null || want === undefined) expect(got).toBe(want);
  else expect(got).toBeCloseTo(want, 9);
}

const thing = fc.record({
  id: fc.integer({ min: 0, max: 60 }).map(String),
  a: fc.constantFrom('p', 'q'),
  b: fc.constantFrom('1', '2'),
  time: fc.integer({ min: 0, max: 20 * MINUTE }),
  x: fc.integer({ min: -50, max: 50 }),
  y: fc.integer({ min: -50, max: 50 }),
});

describe('computeOffline', () => {
  it('should equal the definition evaluated record by record', () => {
    fc.assert(
      fc.property(
        fc.array(thing, { maxLength: 80 }),
        fc.array(
          fc.record({
            entity: fc.constantFrom('p|1', 'p|2', 'q|1', 'x|y'),
            atMs: fc.integer({ min: 0, max: 26 * MINUTE }),
          }),
          {
            maxLength: 20,
          },
        ),
        (records, queries) => {
          // Ids are unique per record in real streams; keep the reference's first-wins dedup simple.
          const unique = records.filter((r, i) => records.findIndex((s) => s.id === r.id) === i);
          const got = computeOffline(view, unique, queries);
          queries.forEach((query, i) => {
            const want = reference(unique, query.entity, query.atMs);
            for (const name of featureNames(view)) expectSameValue(got[i]?.[name], want[name]);
          });
        },
      ),
    );
  });

  it('should never let a record at or after the cut-off bucketStart(at − allowedLatenessMs) in', () => {
    const base = { a: 'p', b: '1', x: 1, y: 1 };
    const at = 10 * MINUTE + 30_000;
    // Lateness 2 min: the cut-off is bucketStart(8:30) = 8 min.
    const records = [
      { ...base, id: 'before', time: 8 * MINUTE - 1 },
      { ...base, id: 'cut-off-bucket', time: 8 * MINUTE + 10_000 },
      { ...base, id: 'within-lateness', time: 9 * MINUTE },
      { ...base, id: 'same-bucket-earlier', time: 10 * MINUTE + 10_000 },
      { ...base, id: 'at', time: at },
    ];
    const [values] = computeOffline(view, records, [{ entity: 'p|1', atMs: at }]);
    expect(values?.['pair_stats.count']).toBe(1);
  });

  it('should skip records it cannot place and count a repeated id once', () => {
    const base = { a: 'p', b: '1', x: 2, y: 3, time: MINUTE };
    const records = [
      { ...base, id: '1' },
      { ...base, id: '1' },
      { ...base, id: '2', x: Number.NaN },
      { ...base, id: '3', a: undefined },
      { ...base, id: '4', time: 'soon' },
    ];
    const [values] = computeOffline(view, records, [{ entity: 'p|1', atMs: 5 * MINUTE }]);
    expect(values).toMatchObject({ 'pair_stats.count': 1, 'pair_stats.sum': 2, 'pair_stats.last': 3 });
  });

  it('should build training rows from the event’s own entity fields', () => {
    const records = [{ id: '1', a: 'p', b: '1', time: 0, x: 4, y: 5 }];
    const rows = computeOfflineRows([view], { things: records }, [
      { record: { a: 'p', b: '1' }, atMs: 4 * MINUTE },
      { record: { a: 'p' }, atMs: 4 * MINUTE },
    ]);
    expect(rows[0]?.['pair_stats.sum']).toBe(4);
    expect(rows[1]).toMatchObject({ 'pair_stats.count': 0, 'pair_stats.mean': -1, 'pair_stats.last': null });
  });

  it('should answer 400k queries over 500k records (speed is measured by the features benchmark, not here)', () => {
    const records = Array.from({ length: 500_000 }, (_, i) => ({
      id: String(i),
      a: String(i % 300),
      b: 'z',
      time: i * 60,
      x: i % 97,
      y: i % 13,
    }));
    const queries = Array.from({ length: 400_000 }, (_, i) => ({ entity: `${i % 300}|z`, atMs: i * 75 }));
    const values = computeOffline(view, records, queries);
    expect(values).toHaveLength(400_000);
  });
});
