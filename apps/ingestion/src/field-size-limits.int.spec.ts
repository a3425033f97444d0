import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { encodeSingleObject, Headers, loadSchemaHistory, TopicCatalogue } from '@streamscore/contracts';
import {
  createTestTopics,
  deleteTestTopics,
  FIXTURE_PIPELINE,
  randomName,
  READING_SCHEMA_DIR,
  type ServiceProcess,
  startServiceProcess,
  testKafka,
  waitFor,
} from '@streamscore/testing';

/**
 * Issue #18 item 5 on the real stack: hostile field sizes neither stall a partition nor the
 * producer. The broker's default message.max.bytes is 1,048,588 bytes (server-properties.ts does not
 * raise it; the catalogue's topics keep it), so the "1 MB field" is 1,000,000 bytes: its record is
 * about 1,000,100 bytes. The record keyed by its own large entity key (as `streamscore produce` keys
 * records) has a 480 KB key and value: key and value must fit one record together. Both are over the
 * dead-letter copy budget (DEAD_LETTER_COPY_BYTES, 900,000 bytes), so their dead letters carry the
 * reason and the source offset but not the record: a copy of a record near the broker's limit plus
 * reason headers would be refused, and the partition would stall behind it.
 */
const V2 = loadSchemaHistory(READING_SCHEMA_DIR).latest.type;
const ONE_MB = 1_000_000;
const LARGE_KEY = 480_000;
/** What the issue asks ("within a second"), with a margin for a loaded machine; the run prints the real delays. */
const BOUND_MS = 3_000;

function reading(id: string, device: string): Buffer {
  return encodeSingleObject(V2, {
    id,
    at: 1_700_000_000_000,
    device,
    value: 1.5,
    tags: [],
    attrs: {},
    unit: '',
  });
}

const avro = { [Headers.contentType]: 'application/vnd.apache.avro' };

interface Arrival {
  readonly topic: string;
  readonly at: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
}

describe('ingestion: hostile field sizes on the real Kafka', () => {
  const prefix = randomName('ingsize');
  const catalogue = new TopicCatalogue({ prefix, partitions: 3 });
  const arrivals: Arrival[] = [];
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let watcher: Consumer;
  let service: ServiceProcess | undefined;

  const arrived = (topic: string, predicate: (a: Arrival) => boolean): Arrival | undefined =>
    arrivals.find((a) => a.topic === topic && predicate(a));

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    await createTestTopics(admin, catalogue.all());
    service = await startServiceProcess('ingestion', {
      KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '',
      TOPIC_PREFIX: prefix,
      TOPIC_PARTITIONS: '3',
      STREAMSCORE_PIPELINE: FIXTURE_PIPELINE, // no `limits`: the defaults, strings 64 KiB, key fields 1 KiB
      STREAMSCORE_GROUP_ID: `${prefix}-group`,
    });
    // Every output as it becomes visible (read_committed), with the time it did.
    watcher = kafka.consumer({
      groupId: `${prefix}-watch`,
      maxWaitTimeInMs: 20,
      maxBytesPerPartition: 4 << 20,
    });
    await watcher.connect();
    await watcher.subscribe({
      topics: [catalogue.name('eventsValidated'), catalogue.name('eventsDeadLetter')],
      fromBeginning: true,
    });
    await watcher.run({
      eachMessage: ({ topic, message }) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {}))
          headers[name] = String(Array.isArray(value) ? value[0] : value);
        arrivals.push({ topic, at: performance.now(), key: message.key, value: message.value, headers });
        return Promise.resolve();
      },
    });
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    // Warm up: the service has its partitions and the watcher reads, before anything is timed.
    await producer.send({
      topic: catalogue.name('events'),
      acks: -1,
      messages: [{ key: 'd-warm', value: reading('warm', 'd-warm'), headers: avro }],
    });
    await waitFor(() => arrived(catalogue.name('eventsValidated'), (a) => a.key?.toString() === 'd-warm'), {
      timeoutMs: 60_000,
      description: 'the warm-up event validated',
    });
  }, 120_000);

  afterAll(async () => {
    await service?.stop('SIGKILL');
    // Either may be unset when beforeAll failed early.
    for (const client of [producer, watcher] as (Producer | Consumer | undefined)[])
      await client?.disconnect();
    await deleteTestTopics(admin, catalogue.all());
    await admin.disconnect();
  });

  it('dead-letters a 1 MB key field TOO_LARGE at once and does not hold up the event behind it', async () => {
    const events = catalogue.name('events');
    // As the CLI sends a record: keyed by its entity key, so the producer hashes a 480 KB key.
    const largeKey = 'k'.repeat(LARGE_KEY);
    let started = performance.now();
    const [sentLarge] = await producer.send({
      topic: events,
      acks: -1,
      messages: [{ key: largeKey, value: reading('large-key', largeKey), headers: avro }],
    });
    const largeKeySendMs = performance.now() - started;
    const partition = sentLarge!.partition;

    // The 1 MB field, then an ordinary event right behind it on the same partition (its own send:
    // both in one record batch would exceed the broker's limit).
    started = performance.now();
    await producer.send({
      topic: events,
      acks: -1,
      messages: [{ key: 'hostile', partition, value: reading('one-mb', 'o'.repeat(ONE_MB)), headers: avro }],
    });
    const hostileSentAt = performance.now();
    const oneMbSendMs = hostileSentAt - started;
    const [sentOrdinary] = await producer.send({
      topic: events,
      acks: -1,
      messages: [{ key: 'd-ordinary', partition, value: reading('ordinary', 'd-ordinary'), headers: avro }],
    });
    const ordinarySentAt = performance.now();

    const deadLetters = catalogue.name('eventsDeadLetter');
    const deadOf = (offset: string): Arrival | undefined =>
      arrived(
        deadLetters,
        (a) =>
          a.headers[Headers.sourcePartition] === String(partition) &&
          a.headers[Headers.sourceOffset] === offset,
      );
    const [largeDead, oneMbDead, validated] = await waitFor(
      () => {
        const found = [
          deadOf(sentLarge!.baseOffset!),
          deadOf(String(BigInt(sentLarge!.baseOffset!) + 1n)),
          arrived(catalogue.name('eventsValidated'), (a) => a.key?.toString() === 'd-ordinary'),
        ];
        return found.every((a) => a !== undefined) && found;
      },
      { timeoutMs: 60_000, intervalMs: 5, description: 'both dead letters and the ordinary event validated' },
    );
    const deadLetterMs = oneMbDead!.at - hostileSentAt;
    const ordinaryMs = validated!.at - ordinarySentAt;
    process.stdout.write(
      `hostile sizes: producing a ${LARGE_KEY}-byte key ${largeKeySendMs.toFixed(0)} ms, the 1 MB record ` +
        `${oneMbSendMs.toFixed(0)} ms; the 1 MB field dead-lettered ${deadLetterMs.toFixed(0)} ms after it was ` +
        `produced; the event behind it validated ${ordinaryMs.toFixed(0)} ms after it was produced ` +
        `(partition ${partition}, offset ${sentOrdinary!.baseOffset})\n`,
    );

    for (const [dead, bytes] of [
      [largeDead!, LARGE_KEY],
      [oneMbDead!, ONE_MB],
    ] as const) {
      expect(dead.headers[Headers.dlqCode]).toBe('TOO_LARGE');
      expect(JSON.parse(dead.headers[Headers.dlqFields]!)).toEqual(['device']);
      expect(dead.headers[Headers.dlqReason]).toBe(
        `device is ${bytes} bytes; a key field may have at most 1024`,
      );
      expect(dead.headers[Headers.sourceTopic]).toBe(events);
    }
    // Over the copy budget: the dead letters say how large the record was instead of copying it.
    for (const dead of [largeDead!, oneMbDead!]) {
      expect(dead.key).toBeNull();
      expect(dead.value).toBeNull();
    }
    const dropped = (dead: Arrival): { key: number; value: number } =>
      JSON.parse(dead.headers[Headers.dlqDropped] ?? '{}') as { key: number; value: number };
    expect(dropped(largeDead!).key).toBe(LARGE_KEY);
    expect(dropped(oneMbDead!).value).toBeGreaterThan(ONE_MB);
    expect(validated!.value).toEqual(reading('ordinary', 'd-ordinary'));
    // Nothing else came out for those inputs: one output each.
    expect(arrivals.filter((a) => a.headers[Headers.sourcePartition] === String(partition))).toHaveLength(2);
    expect(deadLetterMs).toBeLessThan(BOUND_MS);
    expect(ordinaryMs).toBeLessThan(BOUND_MS);
    // Both sends were fast too (the stock murmur2 took over a minute for a 300 KB key).
    expect(largeKeySendMs).toBeLessThan(BOUND_MS);
  }, 90_000);

  it('refuses an oversized field at the HTTP entry, naming it, and writes nothing', async () => {
    const ok = { id: 'h-1', at: 1_700_000_000_000, device: 'd-http', value: 1, tags: [], attrs: {} };
    const body = [
      ok,
      { ...ok, id: 'h-2', device: 'x'.repeat(2_000) },
      { ...ok, id: 'h-3', tags: ['t'.repeat(70_000)] },
    ];
    const eventsWritten = async (): Promise<number> =>
      (await admin.fetchTopicOffsets(catalogue.name('events'))).reduce((sum, p) => sum + Number(p.high), 0);
    const before = await eventsWritten();
    const response = await fetch(`${service!.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { results: unknown[] };
    expect(answer.results).toEqual([
      { index: 0, status: 'accepted' },
      {
        index: 1,
        status: 'rejected',
        code: 'TOO_LARGE',
        reason: 'device is 2000 bytes; a key field may have at most 1024',
        fields: ['device'],
      },
      {
        index: 2,
        status: 'rejected',
        code: 'TOO_LARGE',
        reason: 'tags.0 is 70000 bytes; a string may have at most 65536',
        fields: ['tags.0'],
      },
    ]);
    // The batch is all or nothing: not even the valid event went in.
    expect(await eventsWritten()).toBe(before);
  });
});
