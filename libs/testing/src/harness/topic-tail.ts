import type { Consumer, IHeaders, Kafka } from 'kafkajs';
import { randomName } from './names';

/** One record as the tail received it, undecoded: decoding happens after the stamp, off the handler. */
export interface TailRecord {
  /** Wall clock (Date.now()) when its batch reached the handler. */
  readonly receivedAtMs: number;
  readonly partition: number;
  readonly offset: string;
  /** The record's timestamp: on a CreateTime topic, its producer's clock when it sent it. */
  readonly timestampMs: number;
  readonly value: Buffer | null;
  readonly headers: IHeaders | undefined;
}

export interface TopicTailOptions {
  /** A fresh group of its own (default: a random `tail-…` name); it reads from the beginning. */
  readonly groupId?: string;
  /** Longest a fetch waits for data; small, so a committed record is received soon after its commit. */
  readonly maxWaitTimeInMs?: number;
  /** How long start() waits for the group to be joined. */
  readonly joinTimeoutMs?: number;
}

/**
 * Tails one topic read_committed while a run writes to it, stamping when each record arrives:
 * latency as a reader of the topic sees it, transaction commit included. The handler only
 * stamps and keeps the raw records (one Date.now() per batch), so stamping is not delayed by
 * decoding earlier batches.
 */
export class TopicTail {
  private records: TailRecord[] = [];
  private count = 0;

  private constructor(
    private readonly consumer: Consumer,
    readonly groupId: string,
  ) {}

  /** Resolves once the group is joined: records appended after that are stamped as they come. */
  static async start(kafka: Kafka, topic: string, options: TopicTailOptions = {}): Promise<TopicTail> {
    const groupId = options.groupId ?? randomName('tail');
    const consumer = kafka.consumer({
      groupId,
      readUncommitted: false,
      maxWaitTimeInMs: Math.min(options.maxWaitTimeInMs ?? 10, 10),
    });
    const tail = new TopicTail(consumer, groupId);
    const group = { joined: false };
    consumer.on(consumer.events.GROUP_JOIN, () => {
      group.joined = true;
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        // No offset commit after each batch: a round trip before the next fetch, and the group is
        // the tail's alone (a restarted tail would read from the beginning again anyway).
        autoCommit: false,
        eachBatch: ({ batch }) => {
          const receivedAtMs = Date.now();
          for (const m of batch.messages) {
            tail.records.push({
              receivedAtMs,
              partition: batch.partition,
              offset: m.offset,
              timestampMs: Number(m.timestamp),
              value: m.value,
              headers: m.headers,
            });
          }
          tail.count += batch.messages.length;
          return Promise.resolve();
        },
      });
      const deadline = Date.now() + (options.joinTimeoutMs ?? 30_000);
      while (!group.joined) {
        if (Date.now() > deadline) throw new Error(`tail of ${topic}: group ${groupId} not joined`);
        await new Promise((r) => setTimeout(r, 20));
      }
    } catch (error) {
      await consumer.disconnect();
      throw error;
    }
    return tail;
  }

  /** Records received so far, taken or not. */
  get received(): number {
    return this.count;
  }

  /** The records received since the previous take. */
  take(): TailRecord[] {
    const taken = this.records;
    this.records = [];
    return taken;
  }

  /** Waits until `count` records have been received in all, or the timeout; returns the total. */
  async awaitReceived(count: number, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.count < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.count;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
