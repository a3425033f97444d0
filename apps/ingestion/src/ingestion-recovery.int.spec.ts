import type { Admin, Kafka } from 'kafkajs';
import { Headers, TopicCatalogue } from '@streamscore/contracts';
import {
  awaitGroupCommitted,
  buildCorpus,
  createTestTopics,
  deleteTestTopics,
  endOffsetSum,
  FIXTURE_PIPELINE,
  groupBacklog,
  MAX_ARRAY_ITEMS,
  MAX_MESSAGE_BYTES,
  randomName,
  readTopicToEnd,
  type ServiceProcess,
  startServiceProcess,
  testKafka,
  waitFor,
} from '@streamscore/testing';

/** 100,000 outside CI (STREAMSCORE_TEST_RECOVERY_EVENTS=100000). */
const EVENTS = Number(process.env['STREAMSCORE_TEST_RECOVERY_EVENTS'] ?? 20_000);
const INVALID = Math.round(EVENTS / 20);

/**
 * Every input exactly once on one of the two outputs, read with read_committed (which would stall
 * at a transaction left open), and the group caught up.
 */
async function expectExactlyOnce(
  kafka: Kafka,
  admin: Admin,
  groupId: string,
  catalogue: TopicCatalogue,
  valid: number,
  invalid: number,
): Promise<void> {
  // Outputs and input offsets are one transaction: once the input is committed, the outputs are final.
  await awaitGroupCommitted(admin, groupId, catalogue.name('events'), { timeoutMs: 120_000 });
  const validated = await readTopicToEnd(kafka, catalogue.name('eventsValidated'), {
    isolation: 'read_committed',
    expected: valid,
    timeoutMs: 120_000,
  });
  const dead = await readTopicToEnd(kafka, catalogue.name('eventsDeadLetter'), {
    isolation: 'read_committed',
    expected: invalid,
    timeoutMs: 60_000,
  });
  const ids = new Set(validated.map((m) => m.value!.toString('latin1')));
  const sources = new Set(
    dead.map(
      (m) =>
        `${m.headers[Headers.sourcePartition]!.toString()}:${m.headers[Headers.sourceOffset]!.toString()}`,
    ),
  );
  process.stdout.write(
    `accounting: sent=${valid + invalid} validated=${validated.length} deadLettered=${dead.length} ` +
      `duplicates=${validated.length - ids.size + dead.length - sources.size} missing=${Math.max(0, valid - ids.size) + Math.max(0, invalid - sources.size)}\n`,
  );
  expect(validated).toHaveLength(valid);
  expect(ids.size).toBe(valid);
  expect(dead).toHaveLength(invalid);
  expect(sources.size).toBe(invalid);
}

describe('ingestion recovery on the real Kafka', () => {
  let kafka: Kafka;
  let admin: Admin;
  const running: ServiceProcess[] = [];
  const catalogues: TopicCatalogue[] = [];

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await Promise.all(running.map((s) => s.stop('SIGKILL')));
    for (const c of catalogues) await deleteTestTopics(admin, c.all());
    await admin.disconnect();
  });

  /** Topics and settings; the corpus up to `firstShare` is produced now, the rest by `produceRest`. */
  async function setUp(firstShare = 1): Promise<{
    catalogue: TopicCatalogue;
    env: Record<string, string>;
    groupId: string;
    produceRest: () => Promise<number>;
  }> {
    const prefix = randomName('ingrec');
    const catalogue = new TopicCatalogue({ prefix, partitions: 3 });
    catalogues.push(catalogue);
    await createTestTopics(admin, catalogue.all());
    const corpus = buildCorpus(EVENTS - INVALID, INVALID, 11);
    const produce = async (from: number, to: number): Promise<number> => {
      const producer = kafka.producer();
      await producer.connect();
      for (let i = from; i < to; i += 1_000) {
        await producer.send({
          topic: catalogue.name('events'),
          messages: corpus
            .slice(i, Math.min(i + 1_000, to))
            .map((m) => ({ key: m.key, value: m.value, headers: m.headers ?? {} })),
        });
      }
      await producer.disconnect();
      return to - from;
    };
    const first = Math.round(corpus.length * firstShare);
    await produce(0, first);
    const env = {
      KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '',
      TOPIC_PREFIX: prefix,
      TOPIC_PARTITIONS: '3',
      STREAMSCORE_PIPELINE: FIXTURE_PIPELINE,
      STREAMSCORE_GROUP_ID: `${prefix}-group`,
      STREAMSCORE_MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES),
      STREAMSCORE_MAX_ARRAY_ITEMS: String(MAX_ARRAY_ITEMS),
      STREAMSCORE_MAX_BATCH_ROWS: '200',
      STREAMSCORE_SESSION_TIMEOUT_MS: '6000',
    };
    return { catalogue, env, groupId: `${prefix}-group`, produceRest: () => produce(first, corpus.length) };
  }

  async function start(env: Record<string, string>): Promise<ServiceProcess> {
    const service = await startServiceProcess('ingestion', env);
    running.push(service);
    return service;
  }

  it('should lose and duplicate nothing when killed with SIGKILL mid-run and restarted', async () => {
    const { catalogue, env, groupId } = await setUp();
    const first = await start(env);
    // Kill once part of the input is through (uncommitted transactional writes count in the high watermark).
    await waitFor(async () => (await endOffsetSum(admin, catalogue.name('eventsValidated'))) > EVENTS / 5, {
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    await first.stop('SIGKILL');
    // The kill must land mid-run: part of the input is still uncommitted.
    expect(await groupBacklog(admin, groupId, catalogue.name('events'))).toBeGreaterThan(0);
    await start(env);
    await expectExactlyOnce(kafka, admin, groupId, catalogue, EVENTS - INVALID, INVALID);
  }, 300_000);

  it('should lose and duplicate nothing when one of two members stops mid-run (rebalance)', async () => {
    // Half the input now, half once a member has left: the other one must take over its partitions
    // with work left (a whole input produced up front was done before the stop could land).
    const { catalogue, env, groupId, produceRest } = await setUp(0.5);
    const a = await start(env);
    await start(env);
    await waitFor(async () => (await endOffsetSum(admin, catalogue.name('eventsValidated'))) > EVENTS / 5, {
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    expect(await a.stop('SIGTERM')).toBe(0);
    const producedAfterStop = await produceRest();
    expect(producedAfterStop).toBeGreaterThan(0);
    await expectExactlyOnce(kafka, admin, groupId, catalogue, EVENTS - INVALID, INVALID);
  }, 300_000);
});
