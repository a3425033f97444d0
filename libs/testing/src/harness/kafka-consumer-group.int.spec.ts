import type { Admin, Kafka } from 'kafkajs';
import { testKafka } from './clients';
import { randomName } from './names';
import { readTopicToEnd } from './read-topic';
import { createTestTopics, deleteTestTopics } from './topics';
import { waitFor } from './wait-for';

describe('the test harness against the real Kafka', () => {
  let kafka: Kafka;
  let admin: Admin;
  const topic = randomName('harness-group');

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    await createTestTopics(admin, [{ name: topic, partitions: 3 }]);
  });

  afterAll(async () => {
    await deleteTestTopics(admin, [topic]);
    await admin.disconnect();
  });

  it('should deliver every produced message through a consumer group and commit its offsets', async () => {
    const sent = Array.from({ length: 30 }, (_, i) => ({ key: `entity-${i % 7}`, value: `message-${i}` }));
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: sent });
    await producer.disconnect();

    const groupId = randomName('harness-consumer');
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    const received: { key: string; value: string; partition: number }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message, partition }) => {
        received.push({
          key: message.key?.toString() ?? '',
          value: message.value?.toString() ?? '',
          partition,
        });
        return Promise.resolve();
      },
    });
    await waitFor(() => received.length >= sent.length, {
      timeoutMs: 20_000,
      description: '30 messages consumed',
    });
    await consumer.disconnect();

    expect(received.map((m) => m.value).sort()).toEqual(sent.map((m) => m.value).sort());
    // Same key, same partition: the ordering guarantee every keyed pipeline relies on.
    const partitionsByKey = new Map<string, Set<number>>();
    for (const m of received)
      partitionsByKey.set(m.key, (partitionsByKey.get(m.key) ?? new Set()).add(m.partition));
    for (const partitions of partitionsByKey.values()) expect(partitions.size).toBe(1);

    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const total = committed.flatMap((t) => t.partitions).reduce((sum, p) => sum + Number(p.offset), 0);
    expect(total).toBe(sent.length);
    await admin.deleteGroups([groupId]);
  });

  it('should read a topic back from the beginning with readTopicToEnd', async () => {
    const messages = await readTopicToEnd(kafka, topic, { expected: 30, timeoutMs: 20_000 });
    expect(messages).toHaveLength(30);
    expect(new Set(messages.map((m) => m.value?.toString())).size).toBe(30);
  });

  it('should refuse to auto-create a topic nobody created', async () => {
    const producer = kafka.producer({ allowAutoTopicCreation: true, retry: { retries: 1 } });
    await producer.connect();
    await expect(
      producer.send({ topic: randomName('never-created'), messages: [{ value: 'x' }] }),
    ).rejects.toThrow();
    await producer.disconnect();
  });
});
