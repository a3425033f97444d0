import type { Admin, Kafka } from 'kafkajs';
import { Headers, TopicCatalogue } from '@streamscore/contracts';
import {
  createTestTopics,
  deleteTestTopics,
  randomName,
  readTopic,
  startServiceProcess,
  testKafka,
  waitFor,
  type ServiceProcess,
} from '@streamscore/testing';
import { buildCorpus, FIXTURE_PIPELINE, MAX_ARRAY_ITEMS, MAX_MESSAGE_BYTES } from './test/input-corpus';

/** 100,000 outside CI (STREAMSCORE_TEST_RECOVERY_EVENTS=100000). */
const EVENTS = Number(process.env['STREAMSCORE_TEST_RECOVERY_EVENTS'] ?? 20_000);
const INVALID = Math.round(EVENTS / 20);

async function highWatermarks(admin: Admin, topic: string): Promise<number> {
  return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
}

/**
 * Every input exactly once on one of the two outputs, read with read_committed (which would stall
 * at a transaction left open), and the group caught up.
 */
async function expectExactlyOnce(
  kafka: Kafka,
  catalogue: TopicCatalogue,
  valid: number,
  invalid: number,
): Promise<void> {
  const validated = await readTopic(kafka, catalogue.name('eventsValidated'), {
    isolation: 'read_committed',
    expected: valid,
    timeoutMs: 120_000,
  });
  const dead = await readTopic(kafka, catalogue.name('eventsDeadLetter'), {
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

  async function setUp(): Promise<{ catalogue: TopicCatalogue; env: Record<string, string> }> {
    const prefix = randomName('ingrec');
    const catalogue = new TopicCatalogue({ prefix, partitions: 3 });
    catalogues.push(catalogue);
    await createTestTopics(admin, catalogue.all());
    const producer = kafka.producer();
    await producer.connect();
    const corpus = buildCorpus(EVENTS - INVALID, INVALID, 11);
    for (let i = 0; i < corpus.length; i += 1_000) {
      await producer.send({
        topic: catalogue.name('events'),
        messages: corpus
          .slice(i, i + 1_000)
          .map((m) => ({ key: m.key, value: m.value, headers: m.headers ?? {} })),
      });
    }
    await producer.disconnect();
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
    return { catalogue, env };
  }

  async function start(env: Record<string, string>): Promise<ServiceProcess> {
    const service = await startServiceProcess('ingestion', env);
    running.push(service);
    return service;
  }

  it('should lose and duplicate nothing when killed with SIGKILL mid-run and restarted', async () => {
    const { catalogue, env } = await setUp();
    const first = await start(env);
    // Kill once part of the input is through (uncommitted transactional writes count in the high watermark).
    await waitFor(async () => (await highWatermarks(admin, catalogue.name('eventsValidated'))) > EVENTS / 5, {
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    await first.stop('SIGKILL');
    await start(env);
    await expectExactlyOnce(kafka, catalogue, EVENTS - INVALID, INVALID);
  }, 300_000);

  it('should lose and duplicate nothing when one of two members stops mid-run (rebalance)', async () => {
    const { catalogue, env } = await setUp();
    const a = await start(env);
    await start(env);
    await waitFor(async () => (await highWatermarks(admin, catalogue.name('eventsValidated'))) > EVENTS / 5, {
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    expect(await a.stop('SIGTERM')).toBe(0);
    await expectExactlyOnce(kafka, catalogue, EVENTS - INVALID, INVALID);
  }, 300_000);
});
