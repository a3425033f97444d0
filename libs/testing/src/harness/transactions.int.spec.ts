import type { Admin, Kafka } from 'kafkajs';
import { testKafka } from './clients';
import { randomName } from './names';
import { readTopicToEnd } from './read-topic';
import { createTestTopics, deleteTestTopics } from './topics';
import { waitFor } from './wait-for';

/**
 * The exactly-once pattern the pipeline relies on: consume, produce the results and commit the
 * input offsets in one transaction (sendOffsets); read_committed readers see committed output
 * only. kafkajs: producer({ transactionalId, idempotent, maxInFlightRequests: 1 }), consumer
 * autoCommit off, offsets = last + 1 (platform-notes).
 */
describe('transactions on the real Kafka', () => {
  let kafka: Kafka;
  let admin: Admin;
  const input = randomName('txn-in');
  const output = randomName('txn-out');
  const count = 12;

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    await createTestTopics(admin, [{ name: input }, { name: output }]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: input,
      messages: Array.from({ length: count }, (_, i) => ({ value: `event-${i}` })),
    });
    await producer.disconnect();
  });

  afterAll(async () => {
    await deleteTestTopics(admin, [input, output]);
    await admin.disconnect();
  });

  it('should commit output and input offsets together, and hide an aborted transaction from read_committed', async () => {
    const groupId = randomName('txn-group');
    const producer = kafka.producer({
      transactionalId: randomName('txn-producer'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();

    // Written then aborted: must never reach a read_committed reader.
    const doomed = await producer.transaction();
    await doomed.send({ topic: output, messages: [{ value: 'aborted-1' }, { value: 'aborted-2' }] });
    await doomed.abort();

    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    let processed = 0;
    await consumer.connect();
    await consumer.subscribe({ topics: [input], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const last = batch.messages.at(-1);
        if (!last) return;
        const transaction = await producer.transaction();
        try {
          await transaction.send({
            topic: output,
            messages: batch.messages.map((m) => ({ value: (m.value?.toString() ?? '').toUpperCase() })),
          });
          await transaction.sendOffsets({
            consumerGroupId: groupId,
            topics: [
              {
                topic: batch.topic,
                partitions: [{ partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }],
              },
            ],
          });
          await transaction.commit();
        } catch (error) {
          await transaction.abort();
          throw error;
        }
        processed += batch.messages.length;
      },
    });
    await waitFor(() => processed >= count, { timeoutMs: 20_000, description: 'input processed' });
    await consumer.disconnect();
    await producer.disconnect();

    const committedOutput = await readTopicToEnd(kafka, output, {
      isolation: 'read_committed',
      expected: count,
    });
    expect(committedOutput.map((m) => m.value?.toString())).toEqual(
      Array.from({ length: count }, (_, i) => `EVENT-${i}`),
    );

    // The aborted records are in the log: a read_uncommitted reader sees them.
    const everything = await readTopicToEnd(kafka, output, {
      isolation: 'read_uncommitted',
      expected: count + 2,
    });
    expect(everything.map((m) => m.value?.toString()).slice(0, 2)).toEqual(['aborted-1', 'aborted-2']);
    expect(everything).toHaveLength(count + 2);

    const [offsets] = await admin.fetchOffsets({ groupId, topics: [input] });
    expect(offsets?.partitions).toEqual([expect.objectContaining({ partition: 0, offset: String(count) })]);
    await admin.deleteGroups([groupId]);
  });
});
