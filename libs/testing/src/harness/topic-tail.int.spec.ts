import type { Admin, Kafka } from 'kafkajs';
import { testKafka } from './clients';
import { randomName } from './names';
import { TopicTail } from './topic-tail';
import { scratchTopics } from './topics';

/** The latency tail on the real Kafka: read_committed, stamped on arrival, from the beginning. */
describe('TopicTail on the real Kafka', () => {
  let kafka: Kafka;
  let admin: Admin;
  const scratch = scratchTopics(() => admin, 'topic-tail');

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await scratch.deleteAll();
    await admin.disconnect();
  });

  it('should receive committed records only, each stamped no earlier than its timestamp', async () => {
    const topic = await scratch.create(2);
    const producer = kafka.producer({
      transactionalId: randomName('topic-tail-tx'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    // Before the tail starts: read from the beginning all the same.
    await producer.send({ topic, messages: [{ partition: 0, value: 'early' }] });
    const tail = await TopicTail.start(kafka, topic);
    try {
      const aborted = await producer.transaction();
      await aborted.send({ topic, messages: [{ partition: 1, value: 'aborted' }] });
      await aborted.abort();
      const committed = await producer.transaction();
      await committed.send({ topic, messages: [{ partition: 1, value: 'committed' }] });
      await committed.commit();

      expect(await tail.awaitReceived(2, 10_000)).toBe(2);
      // Nothing else arrives: the aborted record is never handed over.
      await new Promise((r) => setTimeout(r, 500));
      const records = tail.take();
      expect(records.map((r) => r.value?.toString()).sort()).toEqual(['committed', 'early']);
      for (const r of records) expect(r.receivedAtMs).toBeGreaterThanOrEqual(r.timestampMs);
      expect(tail.take()).toEqual([]);
      expect(tail.received).toBe(2);
    } finally {
      await tail.stop();
      await producer.disconnect();
      await admin.deleteGroups([tail.groupId]).catch(() => undefined);
    }
  }, 60_000);
});
