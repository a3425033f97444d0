// Over 300 lines until the transport is split into fetch loop, delivery and retry modules (#17 item 2):
// the exactly-once loop, its rebalance handling and its overlapped delivery share state today.
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { backoffDelayMs, sleep, type BackoffOptions, DEFAULT_BACKOFF } from './backoff';
import { chunk } from './chunks';
import { failureAction } from './failure-action';
import { groupByTopic, isFenced, nextOffset } from './output-records';
import { splitByBytes } from './split-by-bytes';
import { TransactionalProducerPool } from './transactional-producers';
import type {
  BatchDelivered,
  DeliveryMode,
  OutputMessage,
  PartitionBatch,
  RunnerLogger,
} from './batch-types';

export interface PartitionBatchRunnerOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly topics: readonly string[];
  /**
   * Turns a micro-batch into output records. The one error rule: bad data is never thrown: it
   * becomes a dead-letter output with its code. A retriable error is retried with backoff until it
   * succeeds or the service stops. Any other thrown error is a bug: the service stops loudly,
   * offsets uncommitted. Retrying holds the partition; stopping calls onFatal.
   */
  readonly handler: (batch: PartitionBatch) => Promise<readonly OutputMessage[]>;
  readonly delivery?: DeliveryMode;
  /**
   * Hand the handler a fetch's next micro-batch while the current one is being delivered, so a
   * partition does not sit idle through the delivery's round trips (a transaction is four or five).
   * Deliveries stay in order, one at a time, and a micro-batch whose predecessor is not delivered is
   * dropped, never delivered: only for handlers without side effects of their own. Off by default.
   */
  readonly overlapDelivery?: boolean;
  readonly maxBatchRows?: number;
  /** Longest wait of a fetch for more data (kafkajs maxWaitTimeInMs), i.e. the micro-batch's queue delay. */
  readonly maxBatchWaitMs?: number;
  readonly maxBytesPerPartition?: number;
  readonly partitionsConsumedConcurrently?: number;
  readonly sessionTimeoutMs?: number;
  readonly transactionTimeoutMs?: number;
  readonly backoff?: BackoffOptions;
  readonly fromBeginning?: boolean;
  readonly logger?: RunnerLogger;
  readonly onDelivered?: (info: BatchDelivered) => void;
  readonly onRetry?: (error: unknown, attempt: number, topic: string, partition: number) => void;
  readonly onFatal?: (error: unknown) => void;
  /**
   * A fetch held only records no handler sees (a transaction's commit marker, aborted records):
   * the partition's position moved to `nextOffset` with nothing to deliver. Lets a caller that
   * compares its progress with the high watermark see that the partition is caught up.
   */
  readonly onSkipped?: (topic: string, partition: number, nextOffset: number) => void;
}

const SILENT: RunnerLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The transport that owns Kafka for a service: consumes with eachBatch, hands handlers one
 * partition's micro-batch at a time, and delivers the outputs together with the consumed offsets.
 * exactly-once: outputs and offsets in one transaction of the partition's own producer.
 * at-least-once: outputs acknowledged, then offsets committed. Offsets never move before outputs.
 */
export class PartitionBatchRunner {
  private readonly consumer: Consumer;
  private readonly pool: TransactionalProducerPool;
  private readonly delivery: DeliveryMode;
  private readonly log: RunnerLogger;
  private readonly admin: Admin;
  /** Per assigned partition: the first offset not yet committed, read once the previous owner is fenced. */
  private readonly stableStart = new Map<string, bigint>();
  private sharedProducer: Producer | undefined;
  private running = false;
  private stopping = false;

  constructor(private readonly options: PartitionBatchRunnerOptions) {
    this.delivery = options.delivery ?? 'exactly-once';
    this.log = options.logger ?? SILENT;
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      readUncommitted: false,
      maxWaitTimeInMs: options.maxBatchWaitMs ?? 100,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1_048_576,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: 3_000,
      allowAutoTopicCreation: false,
    });
    this.admin = options.kafka.admin();
    this.pool = new TransactionalProducerPool(
      options.kafka,
      options.groupId,
      options.transactionTimeoutMs ?? 30_000,
    );
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      const owned = new Set<string>();
      for (const [topic, partitions] of Object.entries(event.payload.memberAssignment)) {
        for (const p of partitions)
          owned.add(TransactionalProducerPool.transactionalId(options.groupId, topic, p));
      }
      this.stableStart.clear();
      void this.pool.retain(owned);
      this.log.info('partitions assigned', { assignment: event.payload.memberAssignment });
    });
    // kafkajs resolves a fetch of nothing but control records itself, without calling eachBatch.
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, (event) => {
      const { topic, partition, batchSize, lastOffset } = event.payload;
      if (batchSize === 0) options.onSkipped?.(topic, partition, Number(lastOffset) + 1);
    });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      this.log.error('consumer crashed', {
        error: String(event.payload.error),
        restart: event.payload.restart,
      });
      if (!event.payload.restart) options.onFatal?.(event.payload.error);
    });
  }

  get isRunning(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    await this.admin.connect();
    await this.consumer.connect();
    if (this.delivery === 'at-least-once') {
      this.sharedProducer = this.options.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
      });
      await this.sharedProducer.connect();
    }
    await this.consumer.subscribe({
      topics: [...this.options.topics],
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.running = true;
  }

  /** Lets the in-flight micro-batch finish and commit, then leaves the group. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    try {
      await this.consumer.disconnect();
    } finally {
      await this.pool.closeAll();
      await this.sharedProducer?.disconnect().catch(() => undefined);
      await this.admin.disconnect().catch(() => undefined);
      this.running = false;
    }
  }

  /** Pauses or resumes fetching for back-pressure. */
  pause(topics: readonly string[]): void {
    this.consumer.pause(topics.map((topic) => ({ topic })));
  }

  resume(topics: readonly string[]): void {
    this.consumer.resume(topics.map((topic) => ({ topic })));
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const heartbeat = (): Promise<void> => payload.heartbeat();
    const isRunning = (): boolean => payload.isRunning();
    const isStale = (): boolean => payload.isStale();
    let pending: readonly KafkaMessage[] = batch.messages;
    if (this.delivery === 'exactly-once') {
      const from = await this.committedStart(batch.topic, batch.partition, heartbeat, isRunning);
      if (from === undefined) return;
      pending = pending.filter((m) => BigInt(m.offset) >= from);
      const lastFetched = batch.messages[batch.messages.length - 1];
      if (pending.length === 0 && lastFetched) {
        payload.resolveOffset(lastFetched.offset);
        return;
      }
    }
    // The fetch may end with records no handler sees (a transaction's commit marker): the last
    // chunk commits past them, so a drained partition shows no lag.
    const fetchedLast = batch.lastOffset();
    const chunks = chunk(pending, this.options.maxBatchRows ?? 500);
    const handle = (messages: readonly KafkaMessage[]): HandledChunk => {
      const started = performance.now();
      const outputs = this.handleWithRetry(batch.topic, batch.partition, messages, heartbeat, isRunning).then(
        (result) => ({ outputs: result, handleMs: performance.now() - started }),
      );
      // Awaited later; until then a rejection must not count as unhandled.
      outputs.catch(() => undefined);
      return outputs;
    };
    let next: HandledChunk | undefined;
    for (const [index, messages] of chunks.entries()) {
      const current = next;
      next = undefined;
      if (!isRunning() || isStale()) {
        await current?.catch(() => undefined);
        return;
      }
      const lastMessage = messages[messages.length - 1];
      if (!lastMessage) continue;
      const last =
        index === chunks.length - 1 && BigInt(fetchedLast) > BigInt(lastMessage.offset)
          ? { offset: fetchedLast }
          : lastMessage;
      const { outputs, handleMs } = await (current ?? handle(messages));
      if (outputs === undefined) return;
      const following = chunks[index + 1];
      if (this.options.overlapDelivery && following && isRunning() && !isStale()) next = handle(following);
      const delivering = performance.now();
      const delivered = await this.deliverWithRetry(
        batch.topic,
        batch.partition,
        outputs,
        last.offset,
        heartbeat,
        isRunning,
      );
      if (!delivered) {
        // Its predecessor did not commit: the next micro-batch is redone from the committed offset.
        await next?.catch(() => undefined);
        return;
      }
      payload.resolveOffset(last.offset);
      await heartbeat();
      this.options.onDelivered?.({
        topic: batch.topic,
        partition: batch.partition,
        firstOffset: messages[0]?.offset ?? last.offset,
        rows: messages.length,
        outputs: outputs.length,
        handleMs,
        deliverMs: performance.now() - delivering,
      });
    }
    const lastMessage = pending[pending.length - 1];
    if (lastMessage && BigInt(fetchedLast) > BigInt(lastMessage.offset))
      this.options.onSkipped?.(batch.topic, batch.partition, Number(fetchedLast) + 1);
  }

  /**
   * kafkajs fetches a newly assigned partition's committed offset without KIP-447's require_stable,
   * so right after the previous owner's last commit it can read an offset whose transaction markers
   * are still being written, and redo that batch. Initialising this partition's transactional
   * producer first fences the previous owner and waits until its transaction is complete; the
   * committed offset read after that is stable, and records below it are skipped.
   */
  private async committedStart(
    topic: string,
    partition: number,
    heartbeat: () => Promise<void>,
    isRunning: () => boolean,
  ): Promise<bigint | undefined> {
    const key = `${topic}:${partition}`;
    for (let attempt = 0; ; attempt++) {
      const known = this.stableStart.get(key);
      if (known !== undefined) return known;
      try {
        await this.pool.get(topic, partition);
        const offsets = await this.admin.fetchOffsets({ groupId: this.options.groupId, topics: [topic] });
        const committed = offsets[0]?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
        const start = BigInt(committed) < 0n ? 0n : BigInt(committed);
        this.stableStart.set(key, start);
        return start;
      } catch (error) {
        this.options.onRetry?.(error, attempt, topic, partition);
        this.log.warn('could not read the stable committed offset; retrying', {
          topic,
          partition,
          error: String(error),
        });
        await sleep(backoffDelayMs(attempt, this.options.backoff ?? DEFAULT_BACKOFF));
        await heartbeat().catch(() => undefined);
        if (!isRunning()) return undefined;
      }
    }
  }

  private async handleWithRetry(
    topic: string,
    partition: number,
    messages: readonly KafkaMessage[],
    heartbeat: () => Promise<void>,
    isRunning: () => boolean,
  ): Promise<readonly OutputMessage[] | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.options.handler({ topic, partition, messages, heartbeat });
      } catch (error) {
        if (failureAction(error) === 'stop') {
          this.log.error('handler failed with a non-retriable error; stopping so nothing is skipped', {
            topic,
            partition,
            error: String(error),
          });
          this.options.onFatal?.(error);
          throw error;
        }
        this.options.onRetry?.(error, attempt, topic, partition);
        this.log.warn('retriable failure; partition paused while retrying', {
          topic,
          partition,
          attempt,
          error: String(error),
        });
        // Holding this eachBatch call is the pause: nothing later in the partition is fetched or processed.
        await sleep(backoffDelayMs(attempt, this.options.backoff ?? DEFAULT_BACKOFF));
        await heartbeat().catch(() => undefined);
        if (!isRunning()) return undefined;
      }
    }
  }

  /**
   * Delivery is the transport's own Kafka work, not a handler's, so failureAction does not apply:
   * every failure but fencing is retried with a fresh producer. kafkajs marks an error
   * non-retriable once its own retries ran out (KafkaJSNumberOfRetriesExceeded): the broker was
   * away for long, not a bug.
   */
  private async deliverWithRetry(
    topic: string,
    partition: number,
    outputs: readonly OutputMessage[],
    lastOffset: string,
    heartbeat: () => Promise<void>,
    isRunning: () => boolean,
  ): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        if (this.delivery === 'exactly-once')
          await this.deliverTransactionally(topic, partition, outputs, lastOffset);
        else await this.deliverThenCommit(topic, partition, outputs, lastOffset);
        return true;
      } catch (error) {
        if (isFenced(error)) {
          // Another member owns this partition now; it will redo the batch from the committed offset.
          this.log.warn('producer fenced: partition moved to another member', { topic, partition });
          await this.pool.discard(topic, partition);
          return false;
        }
        this.options.onRetry?.(error, attempt, topic, partition);
        this.log.warn('delivery failed; retrying', { topic, partition, attempt, error: String(error) });
        // A producer whose transaction failed may be in an unknown state: start over with a fresh one.
        // Its init aborts whatever the old one left open, so nothing is delivered twice.
        if (this.delivery === 'exactly-once') await this.pool.discard(topic, partition);
        await sleep(backoffDelayMs(attempt, this.options.backoff ?? DEFAULT_BACKOFF));
        await heartbeat().catch(() => undefined);
        if (!isRunning()) return false;
      }
    }
  }

  private async deliverTransactionally(
    topic: string,
    partition: number,
    outputs: readonly OutputMessage[],
    lastOffset: string,
  ): Promise<void> {
    const producer = await this.pool.get(topic, partition);
    const transaction = await producer.transaction();
    try {
      for (const part of splitByBytes(outputs))
        await transaction.sendBatch({ topicMessages: groupByTopic(part) });
      await transaction.sendOffsets({
        consumerGroupId: this.options.groupId,
        topics: [{ topic, partitions: [{ partition, offset: nextOffset(lastOffset) }] }],
      });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
  }

  private async deliverThenCommit(
    topic: string,
    partition: number,
    outputs: readonly OutputMessage[],
    lastOffset: string,
  ): Promise<void> {
    if (this.sharedProducer) {
      for (const part of splitByBytes(outputs)) {
        await this.sharedProducer.sendBatch({ topicMessages: groupByTopic(part), acks: -1 });
      }
    }
    await this.consumer.commitOffsets([{ topic, partition, offset: nextOffset(lastOffset) }]);
  }
}

/** A micro-batch being handled: its outputs (undefined when the runner stopped) and handling time. */
type HandledChunk = Promise<{ outputs: readonly OutputMessage[] | undefined; handleMs: number }>;
