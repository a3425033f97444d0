import type { Kafka } from 'kafkajs';
import {
  endOffsets,
  readTopicsToEnd,
  TopicReader,
  type OnTopicRecord,
  type TopicOffsets,
  type TopicReaderOptions,
  type TopicRecord,
} from '@streamscore/kafka';
import { requireTopics } from './topic-check';

export interface ReadTopicsOptions {
  readonly kafka: Kafka;
  readonly topics: readonly string[];
  /** TOPIC_PREFIX, named when a topic is missing. */
  readonly topicPrefix: string | undefined;
  /** Keep reading new records until --max, SIGINT or SIGTERM; otherwise stop at the end offsets taken at start. */
  readonly follow: boolean;
  /** Start at the oldest record. Without --follow reading always starts there. */
  readonly fromBeginning: boolean;
  readonly max?: number;
  readonly onMessage: (message: TopicRecord) => void | Promise<void>;
}

/**
 * Reads topics read_committed with @streamscore/kafka's reader (a throwaway group that commits
 * nothing) and hands each record to `onMessage` in offset order per partition. Returns the number
 * of records handed over.
 */
export async function readTopics(options: ReadTopicsOptions): Promise<number> {
  const { kafka, topics, max } = options;
  await requireTopics(kafka, topics, options.topicPrefix);
  const stopping = new AbortController();
  const stop = (): void => {
    stopping.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let delivered = 0;
  const onRecord: OnTopicRecord = async (record) => {
    await options.onMessage(record);
    delivered++;
    if (max !== undefined && delivered >= max) stopping.abort();
  };
  const readerOptions: TopicReaderOptions = { groupPrefix: 'streamscore-cli', signal: stopping.signal };
  try {
    if (!options.follow) {
      // No deadline: a long topic takes what it takes, and Ctrl-C stops the read.
      await readTopicsToEnd(kafka, topics, onRecord, {
        ...readerOptions,
        timeoutMs: Number.POSITIVE_INFINITY,
      });
    } else {
      const from = options.fromBeginning ? undefined : await endsNow(kafka, topics);
      const reader = await TopicReader.start(kafka, topics, onRecord, { ...readerOptions, from });
      try {
        await reader.readUntilAborted();
      } finally {
        await reader.stop();
      }
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  return delivered;
}

/** Where following without --from-beginning starts: the records written from now on. */
async function endsNow(kafka: Kafka, topics: readonly string[]): Promise<TopicOffsets> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await endOffsets(admin, topics);
  } finally {
    await admin.disconnect();
  }
}
