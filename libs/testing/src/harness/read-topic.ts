import type { IHeaders, Kafka } from 'kafkajs';
import { randomName } from './names';

export interface ReadTopicOptions {
  /** read_committed skips aborted transactions and waits at open ones (Kafka's isolation.level). */
  readonly isolation?: 'read_committed' | 'read_uncommitted';
  /** Stop once this many arrived (and nothing more came for `settleMs`). */
  readonly expected?: number;
  readonly timeoutMs?: number;
  /** Quiet time that ends the read: after `expected` arrived, or after catching up when none is given. */
  readonly settleMs?: number;
}

export interface ReadMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
  readonly timestamp: string;
}

/**
 * Reads a topic from the beginning with a throwaway consumer group and returns the messages in
 * arrival order (offset order within a partition). On timeout it returns what it has, so the
 * test's assertion shows the shortfall.
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  options: ReadTopicOptions = {},
): Promise<ReadMessage[]> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const settleMs = options.settleMs ?? (options.expected === undefined ? 1_500 : 300);
  const groupId = randomName('read-topic');
  const consumer = kafka.consumer({
    groupId,
    readUncommitted: options.isolation === 'read_uncommitted',
    maxWaitTimeInMs: 100,
  });
  const messages: ReadMessage[] = [];
  let joinedAt: number | undefined;
  let lastMessageAt = 0;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joinedAt = Date.now();
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: ({ message, partition }) => {
        messages.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key,
          value: message.value,
          headers: message.headers ?? {},
          timestamp: message.timestamp,
        });
        lastMessageAt = Date.now();
        return Promise.resolve();
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const quietSince = Math.max(joinedAt ?? Infinity, lastMessageAt);
      const quiet = Date.now() - quietSince >= settleMs;
      const enough = options.expected === undefined || messages.length >= options.expected;
      if (enough && quiet) break;
      await new Promise((resolveSleep) => setTimeout(resolveSleep, 50));
    }
    return messages;
  } finally {
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}
