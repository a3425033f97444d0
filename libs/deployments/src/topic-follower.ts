import { randomBytes } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import { DeploymentError } from './deployment-errors';

export interface FollowedRecord {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  /** null for a tombstone. */
  readonly value: Buffer | null;
  /** True for records that were already on the topic when start() looked at its end offsets. */
  readonly backlog: boolean;
}

export interface TopicFollowerOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  readonly onRecord: (record: FollowedRecord) => Promise<void> | void;
  readonly log?: (message: string) => void;
  /** start() rejects when the backlog is not read within this time. */
  readonly catchUpTimeoutMs?: number;
  /** Readable part of the throwaway consumer group id. */
  readonly groupPrefix?: string;
}

const DEFAULT_CATCH_UP_TIMEOUT_MS = 30_000;

/**
 * Reads a topic from its beginning with a throwaway consumer group that never commits: every
 * reader sees the whole (compacted) topic, and no group state outlives it. kafkajs has no manual
 * partition assignment, so a random group id stands in for one.
 *
 * Catching up compares each partition's consumed position with the end offset seen at start. The
 * position comes from kafkajs's END_BATCH_PROCESS event, whose lastOffset counts the transaction
 * markers that eachMessage never sees (kafkajs #1256): a topic written in transactions ends with a
 * marker, so the last delivered message is never at the end offset.
 */
export class TopicFollower {
  private consumer: Consumer | undefined;
  private readonly groupId: string;
  private ends = new Map<number, bigint>();
  private readonly positions = new Map<number, bigint>();
  private signalCaughtUp: (() => void) | undefined;

  constructor(private readonly options: TopicFollowerOptions) {
    this.groupId = `${options.groupPrefix ?? 'streamscore-follower'}-${randomBytes(6).toString('hex')}`;
  }

  async start(): Promise<void> {
    const { kafka, topic } = this.options;
    this.ends = await this.endOffsets();
    const caughtUp = new Promise<void>((resolve) => {
      this.signalCaughtUp = resolve;
    });
    const consumer = kafka.consumer({ groupId: this.groupId, maxWaitTimeInMs: 250 });
    this.consumer = consumer;
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.topic !== topic) return;
      this.positions.set(payload.partition, BigInt(payload.lastOffset) + 1n);
      this.checkCaughtUp();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.options.log?.(
        `reader of ${topic} crashed (restart: ${payload.restart}): ${payload.error.message}`,
      );
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const end = this.ends.get(partition) ?? 0n;
          await this.options.onRecord({
            partition,
            offset: message.offset,
            key: message.key ? message.key.toString('utf8') : null,
            value: message.value,
            backlog: BigInt(message.offset) < end,
          });
        },
      });
      this.checkCaughtUp();
      await this.within(caughtUp);
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    if (!consumer) return;
    await consumer.disconnect();
    // Nothing was committed, but the empty group would stay listed until the broker's next sweep.
    const admin = this.options.kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([this.groupId]);
    } catch (error) {
      this.options.log?.(`could not delete reader group ${this.groupId}: ${(error as Error).message}`);
    } finally {
      await admin.disconnect();
    }
  }

  private async endOffsets(): Promise<Map<number, bigint>> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(this.options.topic);
      // An empty partition (high = low, e.g. fully compacted away) is caught up from the start.
      return new Map(
        offsets
          .filter((offset) => BigInt(offset.high) > BigInt(offset.low))
          .map((offset) => [offset.partition, BigInt(offset.high)]),
      );
    } finally {
      await admin.disconnect();
    }
  }

  private checkCaughtUp(): void {
    for (const [partition, end] of this.ends) {
      if ((this.positions.get(partition) ?? 0n) < end) return;
    }
    this.signalCaughtUp?.();
  }

  private async within(caughtUp: Promise<void>): Promise<void> {
    const timeoutMs = this.options.catchUpTimeoutMs ?? DEFAULT_CATCH_UP_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new DeploymentError(
            'NOT_CAUGHT_UP',
            `could not read ${this.options.topic} to its end within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
    });
    try {
      await Promise.race([caughtUp, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Every record of a topic up to its end offsets at the time of the call, in offset order per partition. */
export async function readToEnd(
  kafka: Kafka,
  topic: string,
  options: Pick<TopicFollowerOptions, 'log' | 'catchUpTimeoutMs' | 'groupPrefix'> = {},
): Promise<FollowedRecord[]> {
  const records: FollowedRecord[] = [];
  const follower = new TopicFollower({
    ...options,
    kafka,
    topic,
    onRecord: (record) => {
      if (record.backlog) records.push(record);
    },
  });
  await follower.start();
  await follower.stop();
  return records;
}
