import {
  createTestTopics,
  deleteTestTopics,
  randomName,
  testKafka,
  waitFor,
  echoOutputs,
} from '@streamscore/testing';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { PartitionBatchRunner } from '../transport/fetch-loop';
import { decodeEventTime } from './commit-metadata';
import { readUpstreamBound, type ProgressHop } from './upstream-progress';

/**
 * Event-time progress on the real Kafka: the transport commits each partition's greatest event
 * time in the offset metadata of the micro-batch's transaction (TxnOffsetCommit), and a reader of
 * the group's committed offsets bounds what is still to come with it.
 */
describe('upstream progress through committed offset metadata (real Kafka)', () => {
  const input = randomName('progress-in');
  const output = randomName('progress-out');
  const groupId = randomName('progress-group');
  const hop: ProgressHop = { groupId, topic: input, transactional: false };
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;

  /** Record values are their event times (ms); partition chosen by the test. */
  const send = (partition: number, times: number[]): Promise<unknown> =>
    producer.send({ topic: input, messages: times.map((t) => ({ value: String(t), partition })) });

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    await createTestTopics(admin, [
      { name: input, partitions: 3 },
      { name: output, partitions: 3 },
    ]);
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
  }, 60_000);

  afterAll(async () => {
    await producer.disconnect();
    await deleteTestTopics(admin, [input, output]);
    await admin.disconnect();
  });

  it('should commit the greatest event time per partition and bound only by partitions with records left', async () => {
    // Before any commit: a partition with records left and no progress holds everything.
    await send(0, [1_000, 3_000, 2_000]);
    await send(1, [5_000]);
    expect(await readUpstreamBound(admin, [hop])).toBe(Number.MIN_SAFE_INTEGER);

    let handledRows = 0;
    const runner = new PartitionBatchRunner({
      kafka,
      groupId,
      topics: [input],
      delivery: 'exactly-once',
      maxBatchRows: 2,
      handler: {
        handle: (batch) => {
          handledRows += batch.messages.length;
          // The last micro-batch of partition 0 ([2000]) is lower than its predecessor: progress keeps 3000.
          const times = batch.messages.map((m) => Number(m.value?.toString()));
          return Promise.resolve({ outputs: echoOutputs(batch, output), eventTimeMs: Math.max(...times) });
        },
      },
    });
    await runner.start();
    try {
      const committedTimes = async (): Promise<Map<number, number | undefined>> => {
        const [offsets] = await admin.fetchOffsets({ groupId, topics: [input] });
        return new Map((offsets?.partitions ?? []).map((p) => [p.partition, decodeEventTime(p.metadata)]));
      };
      await waitFor(async () => (await committedTimes()).get(1) === 5_000 && handledRows === 4, {
        timeoutMs: 30_000,
        description: 'both partitions committed',
      });
      expect((await committedTimes()).get(0)).toBe(3_000);
      // Everything read: what comes next is new input, no older than the newest committed.
      await waitFor(async () => (await readUpstreamBound(admin, [hop])) === 5_000, {
        timeoutMs: 10_000,
        description: 'the group caught up on its input',
      });
    } finally {
      await runner.stop();
    }

    // New records on partition 1 with the group stopped: its committed progress is the bound.
    await send(1, [9_000]);
    expect(await readUpstreamBound(admin, [hop])).toBe(5_000);
    await send(0, [4_000]);
    expect(await readUpstreamBound(admin, [hop])).toBe(3_000);
  }, 90_000);
});
