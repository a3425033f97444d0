import { randomUUID } from 'node:crypto';
import type { IHeaders, Kafka } from 'kafkajs';

export interface TopicMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
}

export interface ReadTopicsOptions {
  readonly kafka: Kafka;
  readonly topics: readonly string[];
  /** Keep reading new records until --max, SIGINT or SIGTERM; otherwise stop at the end offsets taken at start. */
  readonly follow: boolean;
  /** Start at the oldest record. Without --follow reading always starts there. */
  readonly fromBeginning: boolean;
  readonly max?: number;
  readonly onMessage: (message: TopicMessage) => void | Promise<void>;
}

const partitionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/** End offsets (last stable offsets: kafkajs lists offsets read_committed) of partitions that hold records. */
async function endOffsets(kafka: Kafka, topics: readonly string[]): Promise<Map<string, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = new Map<string, number>();
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (Number(p.high) > Number(p.low)) ends.set(partitionKey(topic, p.partition), Number(p.high));
      }
    }
    return ends;
  } finally {
    await admin.disconnect();
  }
}

async function deleteGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  } catch {
    // A throwaway group that outlives us expires with offsets.retention.minutes: nothing to do.
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads topics read_committed with a throwaway consumer group that commits nothing, and hands each
 * record to `onMessage` in offset order per partition. Returns the number of records handed over.
 */
export async function readTopics(options: ReadTopicsOptions): Promise<number> {
  const { kafka, topics, follow, max } = options;
  const pending = follow ? new Map<string, number>() : await endOffsets(kafka, topics);
  if (!follow && pending.size === 0) return 0;
  const groupId = `streamscore-cli-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250, readUncommitted: false });
  let delivered = 0;
  const state: { stopped: boolean; failure: Error | undefined } = { stopped: false, failure: undefined };
  const reached = (topic: string, partition: number, nextOffset: number): void => {
    const key = partitionKey(topic, partition);
    const end = pending.get(key);
    if (end !== undefined && nextOffset >= end) pending.delete(key);
  };
  const stop = (): void => {
    state.stopped = true;
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // Batches of only control records or aborted data are not handed to eachBatch; this event still
  // tells where the consumer stands, so a partition ending in a commit marker counts as read.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    reached(payload.topic, payload.partition, Number(payload.lastOffset) + 1);
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    state.failure = payload.error;
    state.stopped = true;
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: options.fromBeginning || !follow });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          if (state.stopped) return;
          await options.onMessage({
            topic: batch.topic,
            partition: batch.partition,
            offset: message.offset,
            timestamp: message.timestamp,
            key: message.key,
            value: message.value,
            headers: message.headers ?? {},
          });
          delivered++;
          reached(batch.topic, batch.partition, Number(message.offset) + 1);
          if (max !== undefined && delivered >= max) state.stopped = true;
        }
      },
    });
    while (!state.stopped && (follow || pending.size > 0)) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await consumer.disconnect();
    await deleteGroup(kafka, groupId);
  }
  if (state.failure !== undefined) throw state.failure;
  return delivered;
}
