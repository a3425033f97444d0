import type Redis from 'ioredis';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { TopicCatalogue } from '@streamscore/contracts';
import { createTestTopics, randomName, testKafka, testRedis, waitFor } from '@streamscore/testing';
import { removeRun, surveyRuns, type CleanupClients } from './cleanup';
import { newRunId, redisKeyPattern, redisKeyPrefix, serviceGroupId } from './run-namespace';

/**
 * Fake demo runs on the real Kafka and Redis: run ids of the runner's shape with a random suffix,
 * so nothing here can touch a real run's data (the broker and the Redis are shared).
 */
const oldRunId = (): string => `demo-20000101000000-${randomName('cleanup')}`;
const KEYS_PER_RUN = 1_500;

async function keysOf(redis: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1_000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}

/** A group with committed offsets and no member, as a stopped service leaves it. */
async function emptyGroup(admin: Admin, groupId: string, topic: string): Promise<void> {
  await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '0' }] });
}

async function writeKeys(redis: Redis, runId: string, count: number): Promise<void> {
  const pipeline = redis.pipeline();
  for (let i = 0; i < count; i++) pipeline.set(`${redisKeyPrefix(runId)}fv:view:${i}`, String(i));
  await pipeline.exec();
}

describe('demo clean-up against the real Kafka and Redis', () => {
  const removed = oldRunId();
  const other = oldRunId();
  const active = oldRunId();
  const young = `${newRunId(new Date())}-${randomName('cleanup')}`;
  const unrelatedKeys = [`${randomName('cleanup-unrelated')}:k`, `ss:${randomName('not-a-run')}:k`];
  const removedTopics = new TopicCatalogue({ prefix: removed, partitions: 1 }).all();
  const topicOf = (runId: string): string => `${runId}.events`;
  let kafka: Kafka;
  let clients: CleanupClients;
  let consumer: Consumer | undefined;

  beforeAll(async () => {
    kafka = testKafka();
    const admin = kafka.admin();
    await admin.connect();
    clients = { admin, redis: testRedis() };
    await createTestTopics(admin, [
      ...removedTopics,
      ...[other, active, young].map((runId) => ({ name: topicOf(runId) })),
    ]);
    await emptyGroup(admin, serviceGroupId(removed, 'ingestion'), topicOf(removed));
    // A leftover of the drift monitor's history reader: derived from the service's group.
    await emptyGroup(admin, `${serviceGroupId(removed, 'drift')}.history.1.2`, topicOf(removed));
    await emptyGroup(admin, serviceGroupId(other, 'ingestion'), topicOf(other));
    for (const runId of [removed, other]) await writeKeys(clients.redis, runId, KEYS_PER_RUN);
    for (const key of unrelatedKeys) await clients.redis.set(key, '1');

    // A run whose service is up: its group has a member.
    consumer = kafka.consumer({ groupId: serviceGroupId(active, 'features'), maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topicOf(active)] });
    await consumer.run({ eachMessage: () => Promise.resolve() });
    await waitFor(
      async () =>
        (await admin.describeGroups([serviceGroupId(active, 'features')])).groups[0]?.state === 'Stable',
      { timeoutMs: 30_000, description: 'a member in the active run' },
    );
  }, 120_000);

  afterAll(async () => {
    await consumer?.disconnect();
    for (const runId of [removed, other, active, young]) await removeRun(clients, runId);
    await clients.redis.del(...unrelatedKeys);
    await clients.admin.disconnect();
    clients.redis.disconnect();
  }, 120_000);

  describe('surveyRuns', () => {
    it('should find idle runs, and keep runs with a member and runs that may still be starting', async () => {
      const { idle, kept } = await surveyRuns(clients, Date.now());
      expect(idle).toEqual(expect.arrayContaining([removed, other]));
      expect(kept).toEqual(
        expect.arrayContaining([
          { runId: active, reason: 'active' },
          { runId: young, reason: 'young' },
        ]),
      );
      expect(idle).not.toContain(active);
      expect(idle).not.toContain(young);
    }, 60_000);
  });

  describe('removeRun', () => {
    it("should delete the run's topics, groups and Redis keys, and nothing of another run", async () => {
      const result = await removeRun(clients, removed);
      expect(result).toEqual({
        runId: removed,
        topics: removedTopics.length,
        groups: 2,
        redisKeys: KEYS_PER_RUN,
      });

      const { admin, redis } = clients;
      await waitFor(
        async () => (await admin.listTopics()).every((topic) => !topic.startsWith(`${removed}.`)),
        { timeoutMs: 30_000, description: `topics of ${removed} gone` },
      );
      const groups = (await admin.listGroups()).groups.map((group) => group.groupId);
      expect(groups.filter((groupId) => groupId.startsWith(removed))).toEqual([]);
      expect(await keysOf(redis, redisKeyPattern(removed))).toEqual([]);

      const topics = await admin.listTopics();
      expect(topics).toEqual(expect.arrayContaining([other, active, young].map(topicOf)));
      expect(groups).toEqual(
        expect.arrayContaining([serviceGroupId(other, 'ingestion'), serviceGroupId(active, 'features')]),
      );
      expect(await keysOf(redis, redisKeyPattern(other))).toHaveLength(KEYS_PER_RUN);
      expect(await redis.exists(...unrelatedKeys)).toBe(unrelatedKeys.length);
    }, 90_000);

    it('should find nothing to delete the second time', async () => {
      expect(await removeRun(clients, removed)).toEqual({
        runId: removed,
        topics: 0,
        groups: 0,
        redisKeys: 0,
      });
    }, 30_000);
  });
});
