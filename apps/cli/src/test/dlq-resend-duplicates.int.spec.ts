import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { ContentTypes, headerText, Headers } from '@streamscore/contracts';
import { deadLetter, type TopicRecord } from '@streamscore/kafka';
import {
  createTestTopics,
  deleteTestTopics,
  readTopicToEnd,
  type ServiceProcess,
  startServiceProcess,
  testCatalogue,
  testKafka,
} from '@streamscore/testing';
import { runCli } from './run-cli';

/**
 * Issue #18 item 6: `dlq resend` run twice on one dead letter yields one prediction. The demo's
 * pipeline deduplicates departures by eventId, and a resend goes back through the ingestion gate:
 * the first resend is accepted, the second is dead-lettered DUPLICATE — for a dead letter of the gate
 * (repaired) and for one of inference (which holds the claim of its first, accepted attempt).
 */
const PIPELINE = join(__dirname, '..', '..', '..', '..', 'demo', 'flights', 'pipeline.json');

function departure(eventId: string, distance: number): Record<string, unknown> {
  return {
    eventId,
    scheduledAt: 978_307_620_000,
    origin: 'JFK',
    destination: 'LAX',
    distance,
    carrier: null,
  };
}

describe('streamscore dlq resend twice through a deduplicating gate', () => {
  const catalogue = testCatalogue({ prefix: 'clidup' });
  const prefix = catalogue.name('events').replace(/\.events$/, '');
  const env = { TOPIC_PREFIX: prefix, TOPIC_PARTITIONS: '2', STREAMSCORE_PIPELINE: PIPELINE };
  const dir = mkdtempSync(join(tmpdir(), 'streamscore-clidup-'));
  let kafka: Kafka;
  let ingestion: ServiceProcess | undefined;

  const read = (key: 'eventsValidated' | 'eventsDeadLetter', expected: number): Promise<TopicRecord[]> =>
    readTopicToEnd(kafka, catalogue.name(key), { isolation: 'read_committed', expected, timeoutMs: 60_000 });
  const idOf = (m: TopicRecord): string =>
    m.value?.toString('latin1').match(/d-\d|g-\d/)?.[0] ?? `(no id in ${m.value?.length ?? 0} bytes)`;

  beforeAll(async () => {
    kafka = testKafka();
    const admin = kafka.admin();
    await admin.connect();
    await createTestTopics(admin, catalogue.all());
    await admin.disconnect();
    ingestion = await startServiceProcess('ingestion', {
      ...env,
      KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '',
      REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: `${prefix}:`,
      STREAMSCORE_GROUP_ID: `${prefix}-ingestion`,
    });
  }, 120_000);

  afterAll(async () => {
    await ingestion?.stop('SIGKILL');
    const admin = kafka.admin();
    await admin.connect();
    await deleteTestTopics(admin, catalogue.all());
    await admin.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should accept the first resend and dead-letter the second DUPLICATE, for a gate and an inference dead letter', async () => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const json = { [Headers.contentType]: ContentTypes.json };
    // d-1 is valid; g-1 breaks the pipeline's rule distance ≥ 0 and is dead-lettered by the gate.
    await producer.send({
      topic: catalogue.name('events'),
      acks: -1,
      messages: [
        { key: 'JFK', partition: 0, value: JSON.stringify(departure('d-1', 2475)), headers: json },
        { key: 'JFK', partition: 0, value: JSON.stringify(departure('g-1', -5)), headers: json },
      ],
    });
    const [accepted] = await read('eventsValidated', 1);
    const [rejected] = await read('eventsDeadLetter', 1);
    expect(headerText(rejected?.headers, Headers.dlqCode)).toBe('OUT_OF_RANGE');
    // Inference could not score d-1 and dead-lettered it, as its scoring handler does.
    const scoringDeadLetter = deadLetter(
      { ...(accepted as TopicRecord), timestamp: '0', attributes: 0 },
      { topic: catalogue.name('eventsValidated'), partition: (accepted as TopicRecord).partition },
      catalogue.name('predictionsDeadLetter'),
      'MISSING_FEATURES',
      'no features',
      [],
    );
    await producer.send({ topic: scoringDeadLetter.topic, acks: -1, messages: [scoringDeadLetter] });
    await producer.disconnect();
    expect(headerText(scoringDeadLetter.headers, Headers.eventClaim)).toBe(`0:${accepted?.offset}`);

    const repair = join(dir, 'repair.jsonl');
    writeFileSync(
      repair,
      `${JSON.stringify({ partition: rejected?.partition, offset: rejected?.offset, record: departure('g-1', 5) })}\n`,
    );
    const gateResend = [
      'dlq',
      'resend',
      '--offsets',
      `${rejected?.partition}:${rejected?.offset}`,
      '--repair',
      repair,
    ];
    const scoringResend = ['dlq', 'resend', '--queue', 'predictions', '--offsets', '0:0'];
    for (let round = 0; round < 2; round++) {
      expect(await runCli(gateResend, env)).toBe(`re-sent 1 dead letter(s) to ${catalogue.name('events')}\n`);
      // A scoring dead letter goes back through the gate too, not straight to the validated topic.
      expect(await runCli(scoringResend, env)).toBe(
        `re-sent 1 dead letter(s) to ${catalogue.name('events')}\n`,
      );
    }

    const validated = await read('eventsValidated', 3);
    const dead = await read('eventsDeadLetter', 3);
    // d-1: its first attempt (dead-lettered by inference) and the first resend; g-1: the first resend.
    expect(validated.map(idOf)).toEqual(['d-1', 'g-1', 'd-1']);
    expect(dead.map((m) => [idOf(m), headerText(m.headers, Headers.dlqCode)])).toEqual([
      ['g-1', 'OUT_OF_RANGE'],
      ['g-1', 'DUPLICATE'],
      ['d-1', 'DUPLICATE'],
    ]);
  }, 120_000);
});
