import type { Admin, Kafka } from 'kafkajs';
import {
  ContentTypes,
  encodeSingleObject,
  headerText,
  Headers,
  loadSchemaHistory,
  TopicCatalogue,
} from '@streamscore/contracts';
import {
  createTestTopics,
  deleteTestTopics,
  DEDUPLICATING_FIXTURE_PIPELINE,
  randomName,
  READING_SCHEMA_DIR,
  readTopicToEnd,
  type ServiceProcess,
  startServiceProcess,
  testKafka,
} from '@streamscore/testing';

/**
 * Issue #18 item 6 through the running service: a client's retry at the HTTP entry and the same
 * event id on two partitions each yield one validated record, the repeats dead-lettered DUPLICATE.
 */
const history = loadSchemaHistory(READING_SCHEMA_DIR);

function readingJson(id: string, device: string): Record<string, unknown> {
  return { id, at: 1_700_000_000_000, device, value: 2.5, tags: [], attrs: {}, unit: 'C' };
}

describe('ingestion: duplicate event ids on the real Kafka and Redis', () => {
  const prefix = randomName('ingdup');
  const catalogue = new TopicCatalogue({ prefix, partitions: 3 });
  let kafka: Kafka;
  let admin: Admin;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    await createTestTopics(admin, catalogue.all());
    service = await startServiceProcess('ingestion', {
      KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '',
      REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: `${prefix}:`,
      TOPIC_PREFIX: prefix,
      TOPIC_PARTITIONS: '3',
      STREAMSCORE_PIPELINE: DEDUPLICATING_FIXTURE_PIPELINE,
      STREAMSCORE_GROUP_ID: `${prefix}-group`,
    });
  }, 120_000);

  afterAll(async () => {
    await service?.stop('SIGKILL');
    await deleteTestTopics(admin, catalogue.all());
    await admin.disconnect();
  });

  it('should accept a retried HTTP batch and a copy on another partition once, dead-lettering the repeats DUPLICATE', async () => {
    const post = (): Promise<Response> =>
      fetch(`${service!.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([readingJson('h-1', 'd-1'), readingJson('h-2', 'd-2')]),
      });
    // The client did not see the first answer (a timeout) and sends the batch again.
    expect((await post()).status).toBe(202);
    expect((await post()).status).toBe(202);

    // The same id under two entity keys, on two partitions.
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const avro = { [Headers.contentType]: ContentTypes.avro };
    const copy = (device: string, partition: number) => ({
      topic: catalogue.name('events'),
      acks: -1,
      messages: [
        {
          key: device,
          partition,
          value: encodeSingleObject(history.latest.type, readingJson('p-1', device)),
          headers: avro,
        },
      ],
    });
    await producer.send(copy('d-a', 0));
    await producer.send(copy('d-b', 1));
    await producer.disconnect();

    const validated = await readTopicToEnd(kafka, catalogue.name('eventsValidated'), {
      isolation: 'read_committed',
      expected: 3,
      timeoutMs: 60_000,
    });
    const dead = await readTopicToEnd(kafka, catalogue.name('eventsDeadLetter'), {
      isolation: 'read_committed',
      expected: 3,
      timeoutMs: 60_000,
    });
    const idOf = (value: Buffer | null): string => {
      const record = history.latest.type.fromBuffer(value!.subarray(10)) as { id: string };
      return record.id;
    };
    expect(validated.map((m) => idOf(m.value)).sort()).toEqual(['h-1', 'h-2', 'p-1']);
    expect(dead.map((m) => headerText(m.headers, Headers.dlqCode))).toEqual([
      'DUPLICATE',
      'DUPLICATE',
      'DUPLICATE',
    ]);
    // Nothing disappears: each dead letter holds its record and says where the id was accepted.
    expect(dead.map((m) => idOf(m.value)).sort()).toEqual(['h-1', 'h-2', 'p-1']);
    for (const m of dead)
      expect(headerText(m.headers, Headers.dlqReason)).toMatch(
        /^id "[hp]-\d" was already accepted from this topic at (partition \d )?offset \d+$/,
      );

    const metrics = await (await fetch(`${service!.url}/metrics`)).text();
    const duplicates = metrics
      .split('\n')
      .filter((l) => l.startsWith('ingestion_records_dead_lettered_total') && l.includes('code="DUPLICATE"'))
      .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
    expect(duplicates).toBe(3);
  }, 120_000);
});
