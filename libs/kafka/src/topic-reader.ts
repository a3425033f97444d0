import { randomBytes } from 'node:crypto';
import type { Consumer, EachBatchPayload, IHeaders, Kafka } from 'kafkajs';
import { sleep } from './backoff';
import { endOffsets, type TopicOffsets } from './topic-ends';

export interface TopicRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
  readonly timestamp: string;
}

export type OnTopicRecord = (record: TopicRecord) => void | Promise<void>;

export interface TopicReaderOptions {
  /** read_committed (the default) skips aborted transactions and waits at open ones. */
  readonly isolation?: 'read_committed' | 'read_uncommitted';
  /** Where partitions start reading; partitions not named start at their oldest record. */
  readonly from?: TopicOffsets;
  /** Readable start of the throwaway consumer group's id (default `streamscore-read`). */
  readonly groupPrefix?: string;
  /** Once aborted no further record is handed over and reads resolve: the caller chose to stop. */
  readonly signal?: AbortSignal;
  /** Told of consumer crashes (kafkajs restarts the consumer unless the crash is final). */
  readonly log?: (message: string) => void;
}

export interface ReadToEndOptions extends TopicReaderOptions {
  /**
   * Keep taking new end offsets until at least this many records were read; then take them once
   * more and read to those, so a record written while the count was reached is read too.
   */
  readonly expected?: number;
  /** The whole read fails after this long (default 60 s), naming how far each partition got; Infinity: never. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * The longest a reader's fetch waits at the broker while nothing is readable (the broker answers
 * sooner once a record is): a follower of a quiet topic, such as the deployment watcher, reads a
 * new record at most about this long plus a fetch round trip after it became readable.
 */
export const READER_MAX_WAIT_MS = 100;

/**
 * A consumer of whole topics that knows how far it has read each partition. Its group is a
 * throwaway that never commits (kafkajs has no manual assignment, so a random group id stands in
 * for one) and is deleted on stop. Positions come from END_BATCH_PROCESS, whose lastOffset counts
 * the transaction markers and aborted records that eachBatch never sees (kafkajs #1256): a topic
 * written in transactions ends with a marker, so the last record handed over is never at the end.
 */
export class TopicReader {
  private readonly groupId: string;
  /** Per topic and partition, the offset after the last one read. */
  private readonly positions = new Map<string, Map<number, bigint>>();
  private consumer: Consumer | undefined;
  private failure: Error | undefined;
  private delivered = 0;

  private constructor(
    private readonly kafka: Kafka,
    private readonly topics: readonly string[],
    private readonly onRecord: OnTopicRecord,
    private readonly options: TopicReaderOptions,
  ) {
    this.groupId = `${options.groupPrefix ?? 'streamscore-read'}-${randomBytes(6).toString('hex')}`;
    for (const topic of topics) this.positions.set(topic, new Map(options.from?.get(topic)));
  }

  /**
   * Joins and starts fetching. A failed start (a broker still loading its groups) is retried until
   * `deadline` (epoch ms); without one it is not retried, as nothing would bound the retries.
   */
  static async start(
    kafka: Kafka,
    topics: readonly string[],
    onRecord: OnTopicRecord,
    options: TopicReaderOptions = {},
    deadline = 0,
  ): Promise<TopicReader> {
    const reader = new TopicReader(kafka, topics, onRecord, options);
    await reader.connect(deadline);
    return reader;
  }

  /** Records handed to onRecord so far. */
  get count(): number {
    return this.delivered;
  }

  /**
   * Resolves once every partition of `ends` was read to its end offset (or the signal aborted);
   * rejects with the consumer's failure, or at `deadline` with `timeoutError(shortfall)`.
   */
  async readTo(
    ends: TopicOffsets,
    deadline: number,
    timeoutError: (shortfall: string) => Error,
  ): Promise<void> {
    for (;;) {
      // Checked first: a record that failed last still moves the position to the end.
      if (this.failure) throw this.failure;
      if (this.shortfall(ends) === '' || this.options.signal?.aborted) return;
      if (Date.now() >= deadline) throw timeoutError(this.shortfall(ends));
      await sleep(20);
    }
  }

  /** Keeps reading until the signal aborts; rejects with the consumer's failure. */
  async readUntilAborted(): Promise<void> {
    while (!this.options.signal?.aborted) {
      if (this.failure) throw this.failure;
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    if (!consumer) return;
    await consumer.disconnect().catch((error: unknown) => {
      this.options.log?.(`reader ${this.groupId} did not disconnect cleanly: ${String(error)}`);
    });
    // Nothing was committed, but the empty group would stay listed until the broker's next sweep.
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([this.groupId]);
    } catch (error) {
      this.options.log?.(`could not delete reader group ${this.groupId}: ${String(error)}`);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  private async connect(deadline: number): Promise<void> {
    for (;;) {
      const consumer = this.kafka.consumer({
        groupId: this.groupId,
        readUncommitted: this.options.isolation === 'read_uncommitted',
        maxWaitTimeInMs: READER_MAX_WAIT_MS,
      });
      // Batches of only markers or aborted records reach no handler; this event still moves the position.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        this.advance(payload.topic, payload.partition, BigInt(payload.lastOffset) + 1n);
      });
      // After every (re)join, go on where this reader stands instead of fetching it all again.
      consumer.on(consumer.events.GROUP_JOIN, () => {
        this.resume(consumer);
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        this.options.log?.(
          `reader of ${this.topics.join(', ')} crashed (restart: ${payload.restart}): ${payload.error.message}`,
        );
        if (!payload.restart) this.failure ??= payload.error;
      });
      try {
        await consumer.connect();
        await consumer.subscribe({ topics: [...this.topics], fromBeginning: true });
        await consumer.run({ autoCommit: false, eachBatch: (payload) => this.take(payload) });
        this.consumer = consumer;
        return;
      } catch (error) {
        await consumer.disconnect().catch(() => undefined);
        // kafkajs may give up on a join its own retries did not get through: ours end at the deadline.
        if (Date.now() >= deadline || this.options.signal?.aborted) throw error;
        await sleep(250);
      }
    }
  }

  private async take({ batch }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    for (const message of batch.messages) {
      if (this.failure || this.options.signal?.aborted) return;
      const offset = BigInt(message.offset);
      // A restarted consumer may fetch from the start again: what was handed over already is
      // skipped, so only the topic's own duplicates reach the caller.
      if (offset < this.position(topic, partition)) continue;
      try {
        await this.onRecord({
          topic,
          partition,
          offset: message.offset,
          key: message.key,
          value: message.value,
          headers: message.headers ?? {},
          timestamp: message.timestamp,
        });
      } catch (error) {
        this.failure = error instanceof Error ? error : new Error(String(error));
        // A follower past its catch-up has nobody awaiting it who would hear of this otherwise.
        this.options.log?.(
          `reader of ${topic} stopped at partition ${partition} offset ${offset}: ${String(error)}`,
        );
        return;
      }
      this.delivered++;
      this.advance(topic, partition, offset + 1n);
    }
  }

  private resume(consumer: Consumer): void {
    for (const [topic, partitions] of this.positions) {
      for (const [partition, offset] of partitions) {
        consumer.seek({ topic, partition, offset: offset.toString() });
      }
    }
  }

  private position(topic: string, partition: number): bigint {
    return this.positions.get(topic)?.get(partition) ?? 0n;
  }

  private advance(topic: string, partition: number, next: bigint): void {
    if (next <= this.position(topic, partition)) return;
    const partitions = this.positions.get(topic) ?? new Map<number, bigint>();
    this.positions.set(topic, partitions.set(partition, next));
  }

  private shortfall(ends: TopicOffsets): string {
    const behind: string[] = [];
    for (const [topic, partitions] of ends) {
      for (const [partition, end] of partitions) {
        const at = this.position(topic, partition);
        if (at < end) behind.push(`${topic} partition ${partition} at ${at} of ${end}`);
      }
    }
    return behind.join(', ');
  }
}

/**
 * Reads topics from their beginning (or `from`) to the end offsets taken at the call and hands
 * each record to `onRecord`, in offset order per partition, duplicates included; resolves with the
 * number handed over. Nothing ends on a quiet timer: the read ends when every partition's position
 * reached its end offset and fails, naming the shortfall, when the timeout comes first. The ends
 * are last stable offsets (`topicEnds`), so a read_uncommitted read stops there too: call it once
 * no transaction is open. Accounting tests call it after the producers finished (e.g. after
 * `awaitGroupCommitted` on the producing service's input).
 */
export async function readTopicsToEnd(
  kafka: Kafka,
  topics: readonly string[],
  onRecord: OnTopicRecord,
  options: ReadToEndOptions = {},
): Promise<number> {
  const { expected, signal } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const reading = `reading ${topics.join(', ')}`;
  const admin = kafka.admin();
  try {
    await admin.connect();
    const ends = await endOffsets(admin, topics);
    // Nothing to read: no group to join.
    if (expected === undefined && [...ends.values()].every((partitions) => partitions.size === 0)) return 0;
    const reader = await TopicReader.start(kafka, topics, onRecord, options, deadline);
    try {
      const readTo = (to: TopicOffsets): Promise<void> =>
        reader.readTo(to, deadline, (shortfall) => {
          const wanted = expected === undefined ? '' : ` (${expected} expected)`;
          return new Error(
            `${reading}: read ${reader.count} records${wanted} in ${timeoutMs} ms, short of the end: ${shortfall}`,
          );
        });
      await readTo(ends);
      if (expected !== undefined) {
        while (reader.count < expected && !signal?.aborted) {
          if (Date.now() >= deadline) {
            throw new Error(
              `${reading}: read ${reader.count} of ${expected} expected records in ${timeoutMs} ms`,
            );
          }
          await sleep(50);
          await readTo(await endOffsets(admin, topics));
        }
        await readTo(await endOffsets(admin, topics));
      }
      return reader.count;
    } finally {
      await reader.stop();
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** `readTopicsToEnd` of one topic, returning the records: what accounting tests compare. */
export async function readTopicToEnd(
  kafka: Kafka,
  topic: string,
  options: ReadToEndOptions = {},
): Promise<TopicRecord[]> {
  const records: TopicRecord[] = [];
  await readTopicsToEnd(kafka, [topic], (record) => void records.push(record), options);
  return records;
}
