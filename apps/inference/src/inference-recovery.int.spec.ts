import type { Admin, Kafka } from 'kafkajs';
import type { Redis } from 'ioredis';
import { Headers, TopicCatalogue } from '@streamscore/contracts';
import { createRedis } from '@streamscore/platform';
import {
  awaitGroupCommitted,
  createTestTopics,
  deleteTestTopics,
  endOffsetSum,
  groupBacklog,
  randomName,
  readTopicToEnd,
  startServiceProcess,
  testKafka,
  waitFor,
  type ServiceProcess,
} from '@streamscore/testing';
import {
  decodePredictions,
  deleteKeys,
  flightStream,
  inferenceEnv,
  materializeFlights,
  produceValidated,
} from '@streamscore/demo-flights/testing';

const EVENTS = Number(process.env['STREAMSCORE_TEST_INFERENCE_RECOVERY_EVENTS'] ?? 10_000);
const BAD_EVERY = 500;

function groupOf(env: Record<string, string>): string {
  const groupId = env['STREAMSCORE_GROUP_ID'];
  if (!groupId) throw new Error('inferenceEnv sets no STREAMSCORE_GROUP_ID');
  return groupId;
}

describe('inference recovery on the real Kafka and Redis', () => {
  let kafka: Kafka;
  let admin: Admin;
  let redis: Redis;
  let keyPrefix = '';
  const running: ServiceProcess[] = [];
  const catalogues: TopicCatalogue[] = [];
  const stream = flightStream(EVENTS);

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    redis = createRedis({ url: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379' });
    keyPrefix = await materializeFlights(redis, stream);
  });

  afterAll(async () => {
    await Promise.all(running.map((s) => s.stop('SIGKILL')));
    for (const c of catalogues) await deleteTestTopics(admin, c.all());
    await deleteKeys(redis, keyPrefix);
    await admin.disconnect();
    await redis.quit();
  });

  /** Topics and settings; the stream up to `firstShare` is produced now, the rest by `produceRest`. */
  async function setUp(firstShare = 1): Promise<{
    catalogue: TopicCatalogue;
    env: Record<string, string>;
    bad: () => number;
    produceRest: () => Promise<number>;
  }> {
    const prefix = randomName('infrec');
    const catalogue = new TopicCatalogue({ prefix, partitions: 3 });
    catalogues.push(catalogue);
    await createTestTopics(admin, catalogue.all());
    const first = Math.round(stream.scored.length * firstShare);
    let bad = 0;
    const produce = async (from: number, to: number): Promise<number> => {
      const part = stream.scored.slice(from, to);
      bad += (await produceValidated(kafka, catalogue.name('eventsValidated'), part, BAD_EVERY)).bad;
      return part.length;
    };
    await produce(0, first);
    // Small batches and a short session so the kill lands mid-stream and a rebalance is quick.
    const env = inferenceEnv(prefix, keyPrefix, {
      STREAMSCORE_MAX_BATCH_ROWS: '100',
      STREAMSCORE_SESSION_TIMEOUT_MS: '6000',
    });
    return { catalogue, env, bad: () => bad, produceRest: () => produce(first, stream.scored.length) };
  }

  async function start(env: Record<string, string>): Promise<ServiceProcess> {
    const service = await startServiceProcess('inference', env);
    running.push(service);
    return service;
  }

  /** Every input exactly once on one of the two outputs, read_committed (stalls at an open transaction). */
  async function expectExactlyOnce(catalogue: TopicCatalogue, groupId: string, bad: number): Promise<void> {
    // Outputs and input offsets are one transaction: once the input is committed, the outputs are final.
    await awaitGroupCommitted(admin, groupId, catalogue.name('eventsValidated'), { timeoutMs: 180_000 });
    const predictions = await readTopicToEnd(kafka, catalogue.name('predictions'), {
      isolation: 'read_committed',
      expected: EVENTS,
      timeoutMs: 180_000,
    });
    const dead = await readTopicToEnd(kafka, catalogue.name('predictionsDeadLetter'), {
      isolation: 'read_committed',
      expected: bad,
      timeoutMs: 60_000,
    });
    const ids = new Set(predictions.map((m) => m.value?.toString('latin1')));
    const eventIds = new Set((await decodePredictions(predictions)).map((p) => p.eventId));
    const sources = new Set(
      dead.map(
        (m) =>
          `${m.headers[Headers.sourcePartition]?.toString()}:${m.headers[Headers.sourceOffset]?.toString()}`,
      ),
    );
    process.stdout.write(
      `accounting: events=${EVENTS} bad=${bad} predictions=${predictions.length} (distinct events ${eventIds.size}) dead=${dead.length} (distinct ${sources.size})\n`,
    );
    expect(predictions).toHaveLength(EVENTS);
    expect(ids.size).toBe(EVENTS);
    expect(eventIds.size).toBe(EVENTS);
    expect(dead).toHaveLength(bad);
    expect(sources.size).toBe(bad);
  }

  it('should lose and duplicate nothing when killed with SIGKILL mid-run and restarted', async () => {
    const { catalogue, env, bad } = await setUp();
    const first = await start(env);
    await waitFor(async () => (await endOffsetSum(admin, catalogue.name('predictions'))) > EVENTS / 5, {
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    await first.stop('SIGKILL');
    // The kill must land mid-run: part of the input is still uncommitted.
    expect(await groupBacklog(admin, groupOf(env), catalogue.name('eventsValidated'))).toBeGreaterThan(0);
    await start(env);
    await expectExactlyOnce(catalogue, groupOf(env), bad());
  }, 300_000);

  it('should lose and duplicate nothing when one of two replicas stops mid-run (rebalance)', async () => {
    // Half the input now, half once a replica has left: the other one must take over its partitions
    // with work left (a whole input produced up front was done before the stop could land).
    const { catalogue, env, bad, produceRest } = await setUp(0.5);
    const a = await start(env);
    await start(env);
    await waitFor(async () => (await endOffsetSum(admin, catalogue.name('predictions'))) > EVENTS / 5, {
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    expect(await a.stop('SIGTERM')).toBe(0);
    expect(await produceRest()).toBeGreaterThan(0);
    await expectExactlyOnce(catalogue, groupOf(env), bad());
  }, 300_000);
});
