import type { Admin, Kafka } from 'kafkajs';
import { readTopicToEnd as theOneReader } from '@streamscore/kafka';
import { testKafka } from './clients';
import { randomName } from './names';
import { awaitGroupCommitted, groupBacklog, readTopicToEnd } from './read-topic';
import { scratchTopics } from './topics';

/**
 * The harness's topic reading on the real Kafka. The reader itself is @streamscore/kafka's (tested
 * beside it, libs/kafka/src/topic-reader.int.spec.ts); here: the group helpers built on its end offsets.
 */
describe('read-topic harness on the real Kafka', () => {
  let kafka: Kafka;
  let admin: Admin;
  const scratch = scratchTopics(() => admin, 'read-to-end');

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await scratch.deleteAll();
    await admin.disconnect();
  });

  const topic = (partitions: number): Promise<string> => scratch.create(partitions);

  it('should hand tests the one reader of @streamscore/kafka', () => {
    expect(readTopicToEnd).toBe(theOneReader);
  });

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
