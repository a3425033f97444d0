import { randomUUID } from 'node:crypto';
import {
  bucketStartOf,
  computeOfflineRows,
  entityOf,
  featureNames,
  FeatureMaterializer,
  FeatureReader,
  type FeatureQuery,
  type FeatureReading,
  type FeatureRecord,
  type FeatureValues,
  type FeatureView,
  type ViewApplyCounts,
  isCompleteAsOf,
  readCutoffOf,
} from '@streamscore/features';
import { createRedis } from '@streamscore/platform';
import { mulberry32 } from '@streamscore/drift';
import type { Redis } from 'ioredis';
import { loadFlightsJson, toFlightEvents, type FlightDeparture, type FlightOutcome } from './data';
import { loadFlightFeatureViews } from './feature-views';

/**
 * The "done when": training–serving consistency, no leakage and harmless replays, on
 * 20,000 real flights (vega-datasets flights-20k.json) against the real Redis.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const BATCH = 500;

interface Arrival {
  readonly source: 'events' | 'outcomes';
  readonly record: FlightDeparture | FlightOutcome;
}

/**
 * Both streams interleaved in one shuffled arrival order, each record delayed by a random
 * amount below the allowed lateness: record r arrives at time(r) + u, u ∈ [0, L). Any record q
 * that arrived earlier has time(q) <= time(r) + u(r) − u(q) < time(r) + L, so r is never late.
 */
function shuffledArrivals(
  departures: readonly FlightDeparture[],
  outcomes: readonly FlightOutcome[],
  latenessMs: number,
  seed: number,
): Arrival[] {
  const next = mulberry32(seed);
  const keyed = [
    ...departures.map((record) => ({
      source: 'events' as const,
      record,
      key: record.scheduledAt + next() * latenessMs,
    })),
    ...outcomes.map((record) => ({
      source: 'outcomes' as const,
      record,
      key: record.knownAt + next() * latenessMs,
    })),
  ];
  keyed.sort((a, b) => a.key - b.key);
  return keyed.map(({ source, record }) => ({ source, record }));
}

async function materialize(
  materializer: FeatureMaterializer,
  arrivals: readonly Arrival[],
): Promise<Map<string, ViewApplyCounts>> {
  const totals = new Map<string, ViewApplyCounts>();
  for (let start = 0; start < arrivals.length; start += BATCH) {
    const batch = arrivals.slice(start, start + BATCH);
    for (const source of ['events', 'outcomes'] as const) {
      const records: FeatureRecord[] = batch
        .filter((arrival) => arrival.source === source)
        .map((arrival) => arrival.record);
      const counts = await materializer.applyRecords(source, records);
      for (const [view, c] of Object.entries(counts)) {
        const total = totals.get(view) ?? {
          applied: 0,
          duplicate: 0,
          late: 0,
          invalid: 0,
          watermarkMs: null,
        };
        total.applied += c.applied;
        total.duplicate += c.duplicate;
        total.late += c.late;
        total.invalid += c.invalid;
        total.watermarkMs = c.watermarkMs ?? total.watermarkMs;
        totals.set(view, total);
      }
    }
  }
  return totals;
}

function queriesFor(views: readonly FeatureView[], departures: readonly FlightDeparture[]): FeatureQuery[] {
  return departures.flatMap((departure) =>
    views.map((view) => ({
      view: view.name,
      entity: entityOf(view, departure) ?? '',
      atMs: departure.scheduledAt,
    })),
  );
}

async function readAll(reader: FeatureReader, queries: readonly FeatureQuery[]): Promise<FeatureReading[]> {
  const readings: FeatureReading[] = [];
  for (let start = 0; start < queries.length; start += 5_000) {
    readings.push(...(await reader.readBatch(queries.slice(start, start + 5_000), { deadlineMs: 10_000 })));
  }
  return readings;
}

/** Online readings regrouped as one row per departure, like computeOfflineRows. */
function rowsOf(readings: readonly FeatureReading[], viewCount: number): FeatureValues[] {
  const rows: FeatureValues[] = [];
  for (let i = 0; i < readings.length; i += viewCount) {
    rows.push(
      Object.assign(
        {},
        ...readings.slice(i, i + viewCount).map((reading) => reading.values),
      ) as FeatureValues,
    );
  }
  return rows;
}

describe('flight features: training–serving consistency on 20,000 real flights (real Redis)', () => {
  const views = loadFlightFeatureViews();
  const names = views.flatMap(featureNames);
  const { departures, outcomes } = toFlightEvents(loadFlightsJson('20k'));
  const latenessMs = Math.min(...views.map((view) => view.allowedLatenessMs));
  const arrivals = shuffledArrivals(departures, outcomes, latenessMs, 20_010_101);
  let redis: Redis;
  const prefixes: string[] = [];

  function store(): { materializer: FeatureMaterializer; reader: FeatureReader } {
    const keyPrefix = `test:${randomUUID()}:`;
    prefixes.push(keyPrefix);
    return {
      materializer: new FeatureMaterializer(redis, views, { keyPrefix }),
      reader: new FeatureReader(redis, views, { keyPrefix }),
    };
  }

  beforeAll(() => {
    redis = createRedis({ url: REDIS_URL });
  });

  afterAll(async () => {
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    await redis.quit();
  });

  it('should read online exactly the offline values, and a replay should change nothing', async () => {
    // The arrival order really interleaves the streams and departs from time order.
    const timeOf = (arrival: Arrival): number =>
      'knownAt' in arrival.record ? arrival.record.knownAt : arrival.record.scheduledAt;
    expect(arrivals.some((arrival, i) => i > 0 && timeOf(arrival) < timeOf(arrivals[i - 1]!))).toBe(true);

    const { materializer, reader } = store();
    const totals = await materialize(materializer, arrivals);
    for (const view of views)
      expect(totals.get(view.name)).toMatchObject({ applied: 20_000, duplicate: 0, late: 0, invalid: 0 });

    const queries = queriesFor(views, departures);
    const readings = await readAll(reader, queries);
    const online = rowsOf(readings, views.length);
    const offline = computeOfflineRows(
      views,
      { events: departures, outcomes },
      departures.map((record) => ({ record, atMs: record.scheduledAt })),
    );

    let nonEmpty = 0;
    const mismatches: string[] = [];
    offline.forEach((row, i) => {
      for (const name of names) {
        const want = row[name];
        const got = online[i]?.[name];
        const same = name.endsWith('.mean')
          ? typeof want === 'number' && typeof got === 'number' && Math.abs(want - got) <= 1e-9
          : got === want;
        if (!same && mismatches.length < 5)
          mismatches.push(`${departures[i]?.eventId} ${name}: online ${got} offline ${want}`);
      }
      if ((row['origin_delay_3h.count'] ?? 0) > 0) nonEmpty += 1;
    });
    expect(mismatches).toEqual([]);
    expect(nonEmpty).toBeGreaterThan(1_000);

    // complete means the watermark had reached the read's cut-off, bucketStart(t − lateness).
    const watermarks = await reader.readWatermarks({ deadlineMs: 1_000 });
    const viewOf = new Map(views.map((view) => [view.name, view]));
    readings.forEach((reading, i) => {
      const query = queries[i]!;
      const view = viewOf.get(query.view)!;
      expect(reading.complete).toBe(isCompleteAsOf(query.atMs, view, watermarks[query.view] ?? null));
    });

    const replay = await materialize(materializer, arrivals);
    for (const view of views)
      expect(replay.get(view.name)).toMatchObject({ applied: 0, duplicate: 20_000, late: 0 });
    expect(await readAll(reader, queries)).toEqual(readings);
  }, 120_000);

  it('should never let a record with time >= the cut-off change the value read as of t, even one before t', async () => {
    const { materializer, reader } = store();
    const busiest = departures[10_000]!;
    // Its own departure (and any delay known by then) falls before the cut-off of a read as of t.
    const t = busiest.scheduledAt + latenessMs + 7 * 60_000;
    const timeOf = (arrival: Arrival): number =>
      'knownAt' in arrival.record ? arrival.record.knownAt : arrival.record.scheduledAt;
    await materialize(
      materializer,
      arrivals.filter((arrival) => timeOf(arrival) < t),
    );
    const queries = views.map((view) => ({
      view: view.name,
      entity: entityOf(view, busiest) ?? '',
      atMs: t,
    }));
    const before = await reader.readBatch(queries, { deadlineMs: 1_000 });
    expect(
      before.some((reading) => Object.values(reading.values).some((value) => value !== null && value !== 0)),
    ).toBe(true);

    // Records at the cut-off bucketStart(t − lateness), between it and t (the last instant before
    // t's bucket, which the window ended at before issue #19, and t − 1), at t itself, and
    // everything later, for the same entities.
    const intruders = views.flatMap((view) =>
      [readCutoffOf(t, view), bucketStartOf(t, view.bucketMs) - 1, t - 1, t, t + 1].map((time, i) => ({
        eventId: `intruder-${view.name}-${i}`,
        scheduledAt: time,
        knownAt: time,
        origin: busiest.origin,
        destination: busiest.destination,
        distance: busiest.distance,
        delayMinutes: 500,
      })),
    );
    const later = await materialize(materializer, [
      ...intruders.flatMap((record) => [
        { source: 'events' as const, record },
        { source: 'outcomes' as const, record },
      ]),
      ...arrivals.filter((arrival) => timeOf(arrival) >= t),
    ]);
    for (const view of views) expect(later.get(view.name)?.applied).toBeGreaterThan(3);
    expect(await reader.readBatch(queries, { deadlineMs: 1_000 })).toEqual(
      before.map((reading) => ({
        ...reading,
        complete: expect.any(Boolean) as boolean,
        watermarkMs: expect.any(Number) as number,
      })),
    );
    // The intruders did land: a read whose cut-off has passed t sees them.
    const after = await reader.readBatch(
      views.map((view) => ({
        view: view.name,
        entity: entityOf(view, busiest) ?? '',
        atMs: t + view.allowedLatenessMs + view.bucketMs,
      })),
      { deadlineMs: 1_000 },
    );
    after.forEach((reading, i) => {
      const count = `${views[i]!.name}.count`;
      expect(reading.values[count]).toBeGreaterThan(before[i]!.values[count] ?? 0);
    });
  }, 60_000);
});
