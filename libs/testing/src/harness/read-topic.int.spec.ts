import type { Admin, Kafka } from 'kafkajs';
import { testKafka } from './clients';
import { randomName } from './names';
import { awaitGroupCommitted, groupBacklog, readTopicToEnd, topicEnds } from './read-topic';
import { createTestTopics, deleteTestTopics } from './topics';

/** The exact reader the accounting tests rely on: it must see every record, duplicates included. */
describe('readTopicToEnd on the real Kafka', () => {
  let kafka: Kafka;
  let admin: Admin;
  const topics: string[] = [];

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await deleteTestTopics(admin, topics);
    await admin.disconnect();
  });

  async function topic(partitions: number): Promise<string> {
    const name = randomName('read-to-end');
    topics.push(name);
    await createTestTopics(admin, [{ name, partitions }]);
    return name;
  }

  it('should read every partition to its end, past commit markers and aborted records, and return duplicates', async () => {
    const name = await topic(3);
    const producer = kafka.producer({
      transactionalId: randomName('read-to-end-txn'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const aborted = await producer.transaction();
    await aborted.send({ topic: name, messages: [{ partition: 1, value: 'aborted' }] });
    await aborted.abort();
    for (const batch of [['a', 'b', 'c'], ['b']]) {
      const txn = await producer.transaction();
      await txn.send({
        topic: name,
        messages: batch.map((value, i) => ({ partition: i % 2, value })),
      });
      await txn.commit();
    }
    await producer.disconnect();

    // Every partition that holds records ends in a marker: positions must still reach the ends.
    const ends = await topicEnds(admin, name);
    expect([...ends.keys()].sort()).toEqual([0, 1]);
    const read = await readTopicToEnd(kafka, name, { timeoutMs: 30_000 });
    expect(read.map((m) => m.value?.toString()).sort()).toEqual(['a', 'b', 'b', 'c']);
    expect(read.every((m) => m.topic === name)).toBe(true);
  }, 60_000);

  it('should read a record written after the expected count was reached', async () => {
    const name = await topic(2);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: name, messages: [{ partition: 0, value: 'one' }] });
    const reading = readTopicToEnd(kafka, name, { expected: 2, timeoutMs: 30_000 });
    await new Promise((resolveSleep) => setTimeout(resolveSleep, 1_000));
    // The second record reaches the expected count; its duplicate follows at once.
    await producer.send({
      topic: name,
      messages: [
        { partition: 1, value: 'two' },
        { partition: 1, value: 'two' },
      ],
    });
    await producer.disconnect();
    const read = await reading;
    expect(read.map((m) => m.value?.toString()).sort()).toEqual(['one', 'two', 'two']);
  }, 60_000);

  it('should fail naming the shortfall instead of returning a short read', async () => {
    const name = await topic(1);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: name, messages: [{ value: 'only' }] });
    await producer.disconnect();
    await expect(readTopicToEnd(kafka, name, { expected: 2, timeoutMs: 3_000 })).rejects.toThrow(
      /read 1 of 2 expected records/,
    );
  }, 30_000);

  it('should tell a group that has not committed its input from one that has', async () => {
    const name = await topic(2);
    const groupId = randomName('read-to-end-group');
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: name,
      messages: [
        { partition: 0, value: 'x' },
        { partition: 1, value: 'y' },
        { partition: 1, value: 'z' },
      ],
    });
    await producer.disconnect();
    expect(await groupBacklog(admin, groupId, name)).toBe(3);
    await expect(awaitGroupCommitted(admin, groupId, name, { timeoutMs: 1_000 })).rejects.toThrow(
      /partition 0 at -1 of 1/,
    );
    await admin.setOffsets({ groupId, topic: name, partitions: [{ partition: 0, offset: '1' }] });
    expect(await groupBacklog(admin, groupId, name)).toBe(2);
    await admin.setOffsets({ groupId, topic: name, partitions: [{ partition: 1, offset: '2' }] });
    expect(await groupBacklog(admin, groupId, name)).toBe(0);
    await awaitGroupCommitted(admin, groupId, name, { timeoutMs: 5_000 });
    await admin.deleteGroups([groupId]);
  }, 30_000);
});
