import { randomUUID } from 'node:crypto';
import { isRetriable } from '@streamscore/contracts';
import {
  FeatureMaterializer,
  FeatureReader,
  parseFeatureView,
  type FeatureView,
} from '@streamscore/features';
import { createRedis } from '@streamscore/platform';
import type { Redis } from 'ioredis';
import type { Worker } from 'node:worker_threads';
import { FeatureReaderThread } from './feature-thread';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const MINUTE = 60_000;

/** A generic view: entity `a`, 1-minute buckets, 5-minute window. */
const view: FeatureView = parseFeatureView({
  name: 'a_stats',
  source: 'things',
  entityKey: ['a'],
  timeField: 'time',
  idField: 'id',
  bucketMs: MINUTE,
  windowMs: 5 * MINUTE,
  allowedLatenessMs: 2 * MINUTE,
  aggregations: [{ kind: 'count' }, { kind: 'mean', field: 'x', default: -1 }, { kind: 'max', field: 'x' }],
});

describe('FeatureReaderThread (real Redis)', () => {
  const keyPrefix = `test:${randomUUID()}:`;
  let redis: Redis;
  const logs: string[] = [];
  let thread: FeatureReaderThread;

  beforeAll(async () => {
    redis = createRedis({ url: REDIS_URL });
    const records = Array.from({ length: 3_000 }, (_, i) => ({
      id: `r${i}`,
      a: ['p', 'q', 'r'][i % 3],
      time: i * 2_000 + ((i * 7_919) % 30_000),
      x: (i * 31) % 17,
    }));
    await new FeatureMaterializer(redis, [view], { keyPrefix }).applyRecords('things', records);
    thread = new FeatureReaderThread(
      { views: [view], redis: { url: REDIS_URL }, keyPrefix, cacheSlabs: 1_000 },
      (m) => logs.push(m),
    );
  });

  afterAll(async () => {
    await thread.close();
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('should read what the in-process reader reads, with the cache working in the thread', async () => {
    const inProcess = new FeatureReader(redis, [view], { keyPrefix });
    for (let round = 0; round < 5; round++) {
      const queries = Array.from({ length: 300 }, (_, i) => ({
        view: 'a_stats',
        entity: ['p', 'q', 'r', 'unknown'][i % 4] ?? 'p',
        atMs: round * 1_000_000 + i * 3_000 + 1,
      }));
      const [fromThread, local] = await Promise.all([
        thread.readBatch(queries, { deadlineMs: 2_000 }),
        inProcess.readBatch(queries, { deadlineMs: 2_000 }),
      ]);
      expect(fromThread).toEqual(local);
    }
    expect(thread.cacheStats().hits).toBeGreaterThan(0);
    expect(thread.cacheStats().slabs).toBeGreaterThan(0);
  });

  it('should keep the meaning of errors: an unknown view is a bug, not retriable', async () => {
    const error: unknown = await thread
      .readBatch([{ view: 'nope', entity: 'p', atMs: 0 }], { deadlineMs: 1_000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(isRetriable(error)).toBe(false);
    expect((error as Error).message).toContain('unknown feature view');
  });

  it('should turn an unreachable Redis into a RetriableError within the deadline', async () => {
    const down = new FeatureReaderThread(
      { views: [view], redis: { url: 'redis://127.0.0.1:1' }, keyPrefix, cacheSlabs: 10 },
      (m) => logs.push(m),
    );
    try {
      const started = Date.now();
      const error: unknown = await down
        .readBatch([{ view: 'a_stats', entity: 'p', atMs: 0 }], { deadlineMs: 300 })
        .catch((e: unknown) => e);
      expect(isRetriable(error)).toBe(true);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await down.close();
    }
  });

  it('should fail reads as retriable while a dead thread is replaced, then read again', async () => {
    const query = [{ view: 'a_stats', entity: 'p', atMs: 600_001 }];
    const before = await thread.readBatch(query, { deadlineMs: 2_000 });
    // The thread dies (as on a native crash): white-box, through the worker it holds.
    await (thread as unknown as { worker: Worker }).worker.terminate();
    const during: unknown = await thread.readBatch(query, { deadlineMs: 2_000 }).catch((e: unknown) => e);
    expect(isRetriable(during)).toBe(true);
    expect(logs.some((line) => line.includes('feature thread exited'))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await thread.readBatch(query, { deadlineMs: 2_000 })).toEqual(before);
  });
});
