import type { Admin, Kafka, Producer } from 'kafkajs';
import { Headers, TopicCatalogue } from '@streamscore/contracts';
import {
  buildCorpus,
  buildFuzzCorpus,
  type CorpusMessage,
  createTestTopics,
  deleteTestTopics,
  FIXTURE_PIPELINE,
  groupBacklog,
  MAX_ARRAY_ITEMS,
  MAX_MESSAGE_BYTES,
  randomName,
  readTopicToEnd,
  type ServiceProcess,
  startServiceProcess,
  testKafka,
} from '@streamscore/testing';

const VALID = Number(process.env['STREAMSCORE_TEST_INGESTION_VALID'] ?? 10_000);
const INVALID = Number(process.env['STREAMSCORE_TEST_INGESTION_INVALID'] ?? 1_000);
const FUZZ = Number(process.env['STREAMSCORE_TEST_INGESTION_FUZZ'] ?? 50_000);

async function produce(producer: Producer, topic: string, messages: readonly CorpusMessage[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 500) {
    await producer.send({
      topic,
      messages: messages
        .slice(i, i + 500)
        .map((m) => ({ key: m.key, value: m.value, headers: m.headers ?? {} })),
    });
  }
}

describe('ingestion on the real Kafka', () => {
  const prefix = randomName('ing');
  const catalogue = new TopicCatalogue({ prefix, partitions: 3 });
  const groupId = `${prefix}-group`;
  let kafka: Kafka;
  let admin: Admin;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    await createTestTopics(admin, catalogue.all());
  });

  afterAll(async () => {
    await service?.stop('SIGKILL');
    await deleteTestTopics(admin, catalogue.all());
    await admin.disconnect();
  });

  it(`should route ${VALID} valid and ${INVALID} invalid events exactly once, each dead letter with its code`, async () => {
    const corpus = buildCorpus(VALID, INVALID);
    const producer = kafka.producer();
    await producer.connect();
    await produce(producer, catalogue.name('events'), corpus);
    await producer.disconnect();

    service = await startServiceProcess('ingestion', {
      KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '',
      TOPIC_PREFIX: prefix,
      TOPIC_PARTITIONS: '3',
      STREAMSCORE_PIPELINE: FIXTURE_PIPELINE,
      STREAMSCORE_GROUP_ID: groupId,
      STREAMSCORE_MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES),
      STREAMSCORE_MAX_ARRAY_ITEMS: String(MAX_ARRAY_ITEMS),
    });

    const validated = await readTopicToEnd(kafka, catalogue.name('eventsValidated'), {
      isolation: 'read_committed',
      expected: VALID,
      timeoutMs: 120_000,
    });
    const deadLetters = await readTopicToEnd(kafka, catalogue.name('eventsDeadLetter'), {
      isolation: 'read_committed',
      expected: INVALID,
      timeoutMs: 60_000,
    });
    expect(validated).toHaveLength(VALID);
    expect(deadLetters).toHaveLength(INVALID);

    // Each valid input exactly once, keyed by its entity key, canonical single-object Avro.
    const decoded = validated.map((m) => m.value!.toString('latin1'));
    expect(validated.every((m) => m.value![0] === 0xc3 && m.value![1] === 0x01)).toBe(true);
    expect(new Set(decoded).size).toBe(VALID);
    expect(validated.every((m) => m.key?.toString().startsWith('d-'))).toBe(true);

    // Each invalid input exactly once (by source offset), with its expected code.
    const expectedCodes = new Map<string, number>();
    for (const m of corpus)
      if (!m.expect.valid) expectedCodes.set(m.expect.code, (expectedCodes.get(m.expect.code) ?? 0) + 1);
    const gotCodes = new Map<string, number>();
    for (const m of deadLetters) {
      const code = m.headers[Headers.dlqCode]!.toString();
      gotCodes.set(code, (gotCodes.get(code) ?? 0) + 1);
      expect(m.headers[Headers.sourceTopic]!.toString()).toBe(catalogue.name('events'));
      expect(m.headers[Headers.dlqReason]!.toString().length).toBeGreaterThan(0);
    }
    expect(Object.fromEntries(gotCodes)).toEqual(Object.fromEntries(expectedCodes));
    expect(gotCodes.size).toBeGreaterThanOrEqual(8);
    const sources = new Set(
      deadLetters.map(
        (m) =>
          `${m.headers[Headers.sourcePartition]!.toString()}:${m.headers[Headers.sourceOffset]!.toString()}`,
      ),
    );
    expect(sources.size).toBe(INVALID);

    // The group has committed everything, and the metrics equal the accounting.
    let lag = -1;
    for (let i = 0; i < 50 && lag !== 0; i++) {
      lag = await groupBacklog(admin, groupId, catalogue.name('events'));
      if (lag !== 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(lag).toBe(0);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    const counter = (name: string): number =>
      metrics
        .split('\n')
        .filter((l) => l.startsWith(name))
        .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
    expect(counter('ingestion_records_in_total')).toBe(VALID + INVALID);
    expect(counter('ingestion_records_valid_total')).toBe(VALID);
    expect(counter('ingestion_records_dead_lettered_total')).toBe(INVALID);

    expect(await service.stop('SIGTERM')).toBe(0);
    service = undefined;
  }, 240_000);

  it(`should survive ${FUZZ} random and mutated payloads, each landing exactly once`, async () => {
    const prefix2 = randomName('ingfuzz');
    const fuzzTopics = new TopicCatalogue({ prefix: prefix2, partitions: 3 });
    await createTestTopics(admin, fuzzTopics.all());
    try {
      const producer = kafka.producer();
      await producer.connect();
      await produce(producer, fuzzTopics.name('events'), buildFuzzCorpus(FUZZ));
      await producer.disconnect();
      service = await startServiceProcess('ingestion', {
        KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '',
        TOPIC_PREFIX: prefix2,
        TOPIC_PARTITIONS: '3',
        STREAMSCORE_PIPELINE: FIXTURE_PIPELINE,
        STREAMSCORE_GROUP_ID: `${prefix2}-group`,
        STREAMSCORE_MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES),
        STREAMSCORE_MAX_ARRAY_ITEMS: String(MAX_ARRAY_ITEMS),
      });
      let lag = -1;
      for (let i = 0; i < 300 && lag !== 0; i++) {
        lag = await groupBacklog(admin, `${prefix2}-group`, fuzzTopics.name('events'));
        if (lag !== 0) await new Promise((r) => setTimeout(r, 200));
      }
      if (lag !== 0) process.stdout.write(service.output().slice(-3000));
      expect(lag).toBe(0);
      expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
      const validated = await readTopicToEnd(kafka, fuzzTopics.name('eventsValidated'), {
        isolation: 'read_committed',
      });
      const dead = await readTopicToEnd(kafka, fuzzTopics.name('eventsDeadLetter'), {
        isolation: 'read_committed',
      });
      process.stdout.write(`fuzz: sent=${FUZZ} validated=${validated.length} deadLettered=${dead.length}\n`);
      expect(validated.length + dead.length).toBe(FUZZ);
      expect(service.child.exitCode).toBeNull();
      expect(await service.stop('SIGTERM')).toBe(0);
      service = undefined;
    } finally {
      await deleteTestTopics(admin, fuzzTopics.all());
    }
  }, 300_000);
});
