import { randomUUID } from 'node:crypto';
import { isRetriable, RetriableError } from '@streamscore/contracts';
import type { Redis } from 'ioredis';
import { createRedis } from '@streamscore/platform';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { featureNames } from './feature-view';
import { FeatureMaterializer } from './materializer';
import { computeOffline } from './offline';
import { FeatureReader } from './reader';
import { everyAggregationView } from './testing-views';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MINUTE = 60_000;
const view = everyAggregationView();
const names = featureNames(view);

describe('online feature store (real Redis)', () => {
  let redis: Redis;
  let keyPrefix: string;
  let materializer: FeatureMaterializer;
  let reader: FeatureReader;

  beforeAll(() => {
    redis = createRedis({ url: REDIS_URL });
  });

  beforeEach(() => {
    keyPrefix = `test:${randomUUID()}:`;
    materializer = new FeatureMaterializer(redis, [view], { keyPrefix, recordsPerScript: 50 });
    reader = new FeatureReader(redis, [view], { keyPrefix });
  });

  afterEach(async () => {
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  });

  afterAll(async () => {
    await redis.quit();
  });

  function thing(id: number, time: number, a = 'p', x = id % 7, y = id % 5): Record<string, unknown> {
    return { id: `r${id}`, a, b: 'z', time, x, y };
  }

  it('should read exactly what the offline computation gives, for every aggregation', async () => {
    // Deterministic pseudo-random times, in order up to a jitter inside the allowed lateness.
    const records = Array.from({ length: 2_000 }, (_, i) =>
      thing(i, i * 3_000 + ((i * 7919) % 100_000), i % 3 === 0 ? 'q' : 'p'),
    );
    const counts = await materializer.applyRecords('things', records);
    expect(counts.pair_stats).toMatchObject({ applied: 2_000, late: 0, duplicate: 0, invalid: 0 });
    const queries = Array.from({ length: 600 }, (_, i) => ({
      entity: i % 2 === 0 ? 'p|z' : 'q|z',
      atMs: i * 10_000 + 1,
    }));
    const offline = computeOffline(view, records, queries);
    const online = await reader.readBatch(
      queries.map((query) => ({ view: 'pair_stats', ...query })),
      { deadlineMs: 2_000 },
    );
    online.forEach((reading, i) => {
      for (const name of names) {
        const want = offline[i]?.[name];
        if (want === null || want === undefined) expect(reading.values[name]).toBe(want);
        else expect(reading.values[name]).toBeCloseTo(want, 9);
      }
    });
    expect(online.some((reading) => (reading.values['pair_stats.count'] ?? 0) > 5)).toBe(true);
  });

  it('should count a replayed record once and leave values unchanged', async () => {
    const records = Array.from({ length: 100 }, (_, i) => thing(i, i * 1_000));
    await materializer.applyRecords('things', records);
    const query = [{ view: 'pair_stats', entity: 'p|z', atMs: 200_000 }];
    const before = await reader.readBatch(query, { deadlineMs: 1_000 });
    const again = await materializer.applyRecords('things', records);
    expect(again.pair_stats).toMatchObject({ applied: 0, duplicate: 100, late: 0 });
    expect(await reader.readBatch(query, { deadlineMs: 1_000 })).toEqual(before);
  });

  it('should drop and count records older than the watermark, and apply those within lateness', async () => {
    await materializer.applyRecords('things', [thing(1, 10 * MINUTE)]);
    const counts = await materializer.applyRecords('things', [
      thing(2, 10 * MINUTE - 120_000),
      thing(3, 10 * MINUTE - 120_001),
    ]);
    expect(counts.pair_stats).toMatchObject({ applied: 1, late: 1, watermarkMs: 10 * MINUTE - 120_000 });
  });

  it("should apply a lagging partition's records the source watermark waits for, and drop what it passed", async () => {
    // Partition A has reached 60 min; partition B is catching up at 10 min: the service passes
    // sourceWatermarkMs = 10 min − 2 min lateness, so B's records are not late.
    const ahead = await materializer.applyRecords('things', [thing(1, 60 * MINUTE)], {
      sourceWatermarkMs: 8 * MINUTE,
    });
    expect(ahead.pair_stats).toMatchObject({ applied: 1, watermarkMs: 8 * MINUTE });
    const behind = await materializer.applyRecords(
      'things',
      [thing(2, 9 * MINUTE), thing(3, 8 * MINUTE), thing(4, 8 * MINUTE - 1)],
      { sourceWatermarkMs: 8 * MINUTE },
    );
    expect(behind.pair_stats).toMatchObject({ applied: 2, late: 1, watermarkMs: 8 * MINUTE });
    // Once B has caught up the watermark moves on, and never back.
    const caughtUp = await materializer.applyRecords('things', [thing(5, 59 * MINUTE)]);
    expect(caughtUp.pair_stats?.watermarkMs).toBe(58 * MINUTE);
    const held = await materializer.applyRecords('things', [thing(6, 58 * MINUTE)], {
      sourceWatermarkMs: 30 * MINUTE,
    });
    expect(held.pair_stats).toMatchObject({ applied: 1, late: 0, watermarkMs: 58 * MINUTE });
  });

  it("should report complete only once the watermark reached the window's end", async () => {
    await materializer.applyRecords('things', [thing(1, 10 * MINUTE)]);
    // Max 10 min, lateness 2 min: watermark 8 min. A read as of t ends at bucketStart(t − 2 min):
    // as of the newest event time itself (10 min) and up to 11 min − 1 it ends at or before 8 min
    // and is final without any wait; as of 11 min it ends at 9 min and is not.
    const [newest, sameBucket, late] = await reader.readBatch(
      [
        { view: 'pair_stats', entity: 'p|z', atMs: 10 * MINUTE },
        { view: 'pair_stats', entity: 'p|z', atMs: 11 * MINUTE - 1 },
        { view: 'pair_stats', entity: 'p|z', atMs: 11 * MINUTE },
      ],
      { deadlineMs: 1_000 },
    );
    expect(newest).toMatchObject({ complete: true, watermarkMs: 8 * MINUTE });
    expect(sameBucket).toMatchObject({ complete: true, watermarkMs: 8 * MINUTE });
    expect(late?.complete).toBe(false);
    const held = await materializer.applyRecords('things', [thing(2, 20 * MINUTE)], {
      sourceWatermarkMs: 9 * MINUTE,
    });
    expect(held.pair_stats?.watermarkMs).toBe(9 * MINUTE);
  });

  it('should keep min, max and last right whatever the arrival order', async () => {
    const records = [
      thing(1, 60_000, 'p', 5, 9),
      thing(2, 70_000, 'p', -3, 1),
      thing(3, 70_000, 'p', 8, 4),
      thing(4, 65_000, 'p', 0, 20),
    ];
    await materializer.applyRecords('things', [...records].reverse());
    // As of 5 min the window ends at bucketStart(5 min − 2 min lateness) = 3 min: all four count.
    const [reading] = await reader.readBatch([{ view: 'pair_stats', entity: 'p|z', atMs: 5 * MINUTE }], {
      deadlineMs: 1_000,
    });
    expect(reading?.values).toMatchObject({
      'pair_stats.count': 4,
      'pair_stats.min': -3,
      'pair_stats.max': 20,
      'pair_stats.last': 4,
      'pair_stats.sum': 10,
    });
  });

  it('should give every key a TTL', async () => {
    await materializer.applyRecords(
      'things',
      Array.from({ length: 50 }, (_, i) => thing(i, i * 20_000, i % 2 === 0 ? 'p' : 'q')),
    );
    const keys = await redis.keys(`${keyPrefix}*`);
    expect(keys.length).toBeGreaterThan(2);
    for (const key of keys) {
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(view.ttlMs);
    }
  });

  it('should reload the script after SCRIPT FLUSH', async () => {
    await redis.script('FLUSH');
    const counts = await materializer.applyRecords('things', [thing(1, 0)]);
    expect(counts.pair_stats?.applied).toBe(1);
  });

  it('should throw a RetriableError when Redis is unreachable or the deadline passes', async () => {
    const down = createRedis({
      url: 'redis://127.0.0.1:1',
      connectTimeoutMs: 200,
      maxRetriesPerRequest: 0,
    });
    down.on('error', () => undefined);
    try {
      const unreachable = new FeatureReader(down, [view]);
      const query = [{ view: 'pair_stats', entity: 'p|z', atMs: 0 }];
      const error: unknown = await unreachable.readBatch(query, { deadlineMs: 300 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RetriableError);
      expect(isRetriable(error)).toBe(true);
      const writeError: unknown = await new FeatureMaterializer(down, [view])
        .applyRecords('things', [thing(1, 0)])
        .catch((e: unknown) => e);
      expect(writeError).toBeInstanceOf(RetriableError);
    } finally {
      down.disconnect();
    }
    // A server that accepts the connection and never answers: only the deadline can end the read.
    const accepted: Socket[] = [];
    const silent = createServer((socket) => accepted.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const stalled = createRedis({ url: `redis://127.0.0.1:${port}` });
    try {
      const started = Date.now();
      const error: unknown = await new FeatureReader(stalled, [view])
        .readBatch([{ view: 'pair_stats', entity: 'p|z', atMs: 0 }], { deadlineMs: 100 })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RetriableError);
      expect((error as Error).message).toContain('deadline');
      // The 100 ms deadline, not the 5 s connect timeout, ended the read (generous slack for a loaded machine).
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      stalled.disconnect();
      for (const socket of accepted) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('should read the same values with the final-bucket cache as without, while records keep arriving', async () => {
    const cached = new FeatureReader(redis, [view], { keyPrefix, cacheSlabs: 1_000 });
    const records = Array.from({ length: 1_200 }, (_, i) =>
      thing(i, i * 2_000 + ((i * 7919) % 60_000), i % 4 === 0 ? 'q' : 'p'),
    );
    // Stream in chunks; after each chunk read as of times around the frontier, as inference does.
    for (let chunk = 0; chunk < 12; chunk++) {
      await materializer.applyRecords('things', records.slice(chunk * 100, (chunk + 1) * 100));
      const frontier = (chunk + 1) * 200_000;
      const queries = Array.from({ length: 40 }, (_, i) => ({
        view: 'pair_stats',
        entity: i % 2 === 0 ? 'p|z' : 'q|z',
        atMs: frontier - 400_000 + i * 12_500,
      }));
      const plain = await reader.readBatch(queries, { deadlineMs: 2_000 });
      expect(await cached.readBatch(queries, { deadlineMs: 2_000 })).toEqual(plain);
    }
    const stats = cached.cacheStats();
    expect(stats.hits).toBeGreaterThan(stats.misses);
    expect(stats.slabs).toBeGreaterThan(0);
  });

  it('should keep reading a bucket from Redis until the watermark has passed it', async () => {
    const cached = new FeatureReader(redis, [view], { keyPrefix, cacheSlabs: 10 });
    // Max time 10 min, lateness 2 min: the watermark is 8 min; the bucket [7, 8) min is final,
    // [8, 9) min is not (a record of 8.5 min is still accepted). As of 11.5 min the window ends at
    // bucketStart(9.5 min) = 9 min, so it holds both.
    await materializer.applyRecords('things', [thing(1, 7.5 * MINUTE, 'p', 10), thing(2, 10 * MINUTE)]);
    const query = (atMs: number) => [{ view: 'pair_stats', entity: 'p|z', atMs }];
    const first = await cached.readBatch(query(11.5 * MINUTE), { deadlineMs: 1_000 });
    expect(first[0]?.values['pair_stats.sum']).toBe(10);
    await materializer.applyRecords('things', [thing(3, 8.5 * MINUTE, 'p', 5)]);
    const second = await cached.readBatch(query(11.5 * MINUTE), { deadlineMs: 1_000 });
    expect(second[0]?.values['pair_stats.sum']).toBe(15);
    expect(second).toEqual(await reader.readBatch(query(11.5 * MINUTE), { deadlineMs: 1_000 }));
  });
});
