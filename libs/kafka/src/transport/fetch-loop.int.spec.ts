import {
  createTestTopics,
  deleteTestTopics,
  randomName,
  readTopicToEnd,
  testKafka,
  waitFor,
  echoOutputs,
} from '@streamscore/testing';
import type { Admin, Kafka } from 'kafkajs';
import type { BatchDelivered } from './batch-types';
import { PartitionBatchRunner } from './fetch-loop';

/**
 * overlapDelivery on the real Kafka: the next micro-batch of a fetch is handled while the current
 * one's transaction commits, and the output is still exactly once and in input order.
 */
describe('PartitionBatchRunner with overlapDelivery (real Kafka)', () => {
  const input = randomName('runner-in');
  const output = randomName('runner-out');
  const groupId = randomName('runner-group');
  const RECORDS = 3_000;
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    await createTestTopics(admin, [
      { name: input, partitions: 2 },
      { name: output, partitions: 2 },
    ]);
    // Written before the runner starts, so a fetch holds many micro-batches of 100 rows.
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: input,
      messages: Array.from({ length: RECORDS }, (_, i) => ({
        key: `k${i % 7}`,
        value: String(i),
        partition: i % 2,
      })),
    });
    await producer.disconnect();
  }, 60_000);

  afterAll(async () => {
    await deleteTestTopics(admin, [input, output]);
    await admin.disconnect();
  });

  it('should handle ahead while delivering, and deliver every record once, in order', async () => {
    const events: string[] = [];
    const delivered: BatchDelivered[] = [];
    const runner = new PartitionBatchRunner({
      kafka,
      groupId,
      topics: [input],
      delivery: 'exactly-once',
      maxBatchRows: 100,
      overlapDelivery: true,
      handler: {
        handle: async (batch) => {
          events.push(`handle ${batch.partition}:${batch.messages[0]?.offset ?? ''}`);
          await new Promise((resolve) => setTimeout(resolve, 5));
          return {
            outputs: echoOutputs(batch, output),
            delivered: (info) => {
              events.push(`delivered ${info.partition}:${info.firstOffset}`);
              delivered.push(info);
            },
          };
        },
      },
    });
    await runner.start();
    try {
      await waitFor(() => delivered.reduce((n, d) => n + d.rows, 0) >= RECORDS, {
        timeoutMs: 60_000,
        description: 'every record delivered',
      });
    } finally {
      await runner.stop();
    }

    // Some micro-batch was handled before its predecessor's delivery had finished.
    const overlapped = delivered.some((d, i) => {
      const next = delivered.slice(i + 1).find((later) => later.partition === d.partition);
      if (!next) return false;
      return (
        events.indexOf(`handle ${next.partition}:${next.firstOffset}`) <
        events.indexOf(`delivered ${d.partition}:${d.firstOffset}`)
      );
    });
    expect(overlapped).toBe(true);
    // Deliveries of a partition went in offset order.
    for (const partition of [0, 1]) {
      const offsets = delivered.filter((d) => d.partition === partition).map((d) => Number(d.firstOffset));
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    }

    const out = await readTopicToEnd(kafka, output, { expected: RECORDS, isolation: 'read_committed' });
    expect(out).toHaveLength(RECORDS);
    for (const partition of [0, 1]) {
      const values = out.filter((m) => m.partition === partition).map((m) => Number(m.value?.toString()));
      expect(values).toEqual(Array.from({ length: RECORDS / 2 }, (_, i) => i * 2 + partition));
    }
  }, 120_000);
});
