import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { DEFAULT_BACKOFF } from '../backoff';
import type {
  AbandonReason,
  BatchDelivered,
  CommitMode,
  CommitOffset,
  HandledBatch,
  RunnerLogger,
} from './batch-types';
import { chunk } from './chunks';
import { createDelivery, type Delivery } from './delivery';
import { failureAction } from './failure-action';
import { PartitionEventTimes } from '../progress/commit-metadata';
import { isFenced, nextOffset } from './output-records';
import { retryUntilStopped, type RetryPolicy, type RetryScope } from './retry-policy';
import type { PartitionBatchRunnerOptions } from './runner-options';

export type { PartitionBatchRunnerOptions } from './runner-options';

const SILENT: RunnerLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A micro-batch being handled: what the handler returned (undefined when given up) and how long it took. */
type HandledChunk = Promise<{ handled: HandledBatch | undefined; handleMs: number }>;

/**
 * The fetch loop of the one transport every service runs on: consumes with eachBatch, hands the
 * handler one partition's micro-batch at a time (retry-policy.ts decides on its failures) and has
 * delivery.ts write its outputs with the input offsets. Offsets never move before outputs.
 */
export class PartitionBatchRunner {
  private readonly consumer: Consumer;
  private readonly delivery: Delivery;
  private readonly commitMode: CommitMode;
  private readonly log: RunnerLogger;
  private readonly policy: RetryPolicy;
  /** Settles once the handler has seen the current assignment. */
  private assignment: Promise<void> = Promise.resolve();
  /** Each partition's event-time progress, committed with its offsets (each-batch). */
  private readonly eventTimes = new PartitionEventTimes();
  /** Counts the member's joins: a fetch from an earlier one must not deliver (see deliver). */
  private generation = 0;
  private running = false;
  private stopping = false;

  constructor(private readonly options: PartitionBatchRunnerOptions) {
    this.log = options.logger ?? SILENT;
    this.commitMode = options.commit ?? 'each-batch';
    this.policy = {
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      log: this.log,
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
      ...(options.onFatal ? { onFatal: options.onFatal } : {}),
    };
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      readUncommitted: false,
      maxWaitTimeInMs: options.maxBatchWaitMs ?? 100,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1_048_576,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: 3_000,
      allowAutoTopicCreation: false,
    });
    this.delivery = createDelivery(options, this.commitMode, (offsets) =>
      this.consumer.commitOffsets([...offsets]),
    );
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      const assignment = event.payload.memberAssignment;
      this.generation++;
      this.eventTimes.clear();
      this.delivery.assigned?.(assignment);
      this.log.info('partitions assigned', { assignment });
      const handler = options.handler;
      if (handler.assigned)
        this.assignment = handler.assigned(assignment).catch((error: unknown) => {
          this.log.error('the handler could not take the new assignment', { error: String(error) });
          options.onFatal?.(error);
        });
    });
    // kafkajs resolves a fetch of nothing but control records itself, without calling eachBatch.
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, (event) => {
      const { topic, partition, batchSize, lastOffset } = event.payload;
      if (batchSize === 0)
        options.handler.skipped?.({ topic, partition, nextOffset: Number(lastOffset) + 1 });
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
    await this.delivery.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [...this.options.topics],
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => this.onFetch(payload),
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
      await this.delivery.close();
      this.running = false;
    }
  }

  private async onFetch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    await this.assignment;
    const generation = this.generation;
    const scope: RetryScope = {
      topic: batch.topic,
      partition: batch.partition,
      heartbeat: () => payload.heartbeat(),
      isRunning: () => payload.isRunning(),
      superseded: () => this.generation !== generation,
    };
    const from = await this.stableStart(scope);
    if (from === null) return;
    const pending =
      from === undefined ? batch.messages : batch.messages.filter((m) => BigInt(m.offset) >= from);
    // The fetch may end with records no handler sees (a transaction's commit marker): the last
    // chunk commits past them, so a drained partition shows no lag.
    const fetchedLast = batch.lastOffset();
    if (pending.length === 0) {
      if (batch.messages.length > 0) payload.resolveOffset(fetchedLast);
      return;
    }
    const chunks = chunk(pending, this.options.maxBatchRows ?? 500);
    const handle = (messages: readonly KafkaMessage[]): HandledChunk => {
      const started = performance.now();
      const handled = this.handle(scope, messages, batch.highWatermark).then((result) => ({
        handled: result,
        handleMs: performance.now() - started,
      }));
      // Awaited later; until then a rejection must not count as unhandled.
      handled.catch(() => undefined);
      return handled;
    };
    const overlap = this.options.overlapDelivery === true && this.commitMode === 'each-batch';
    let next: HandledChunk | undefined;
    for (const [index, messages] of chunks.entries()) {
      const current = next;
      next = undefined;
      if (!payload.isRunning() || payload.isStale()) {
        await current?.catch(() => undefined);
        return;
      }
      const lastMessage = messages[messages.length - 1];
      if (!lastMessage) continue;
      const isLast = index === chunks.length - 1;
      const last =
        isLast && BigInt(fetchedLast) > BigInt(lastMessage.offset) ? fetchedLast : lastMessage.offset;
      const { handled, handleMs } = await (current ?? handle(messages));
      if (handled === undefined) return;
      const following = chunks[index + 1];
      if (overlap && following && payload.isRunning() && !payload.isStale()) next = handle(following);
      const abandoned = await this.deliver(scope, handled, last, {
        firstOffset: messages[0]?.offset ?? last,
        rows: messages.length,
        handleMs,
      });
      if (abandoned) {
        // Not committed: the micro-batch handled ahead is dropped too, and both are redone from the committed offset.
        const ahead = await next?.catch(() => undefined);
        ahead?.handled?.abandoned?.(abandoned);
        return;
      }
      payload.resolveOffset(last);
      await payload.heartbeat();
    }
    const lastPending = pending[pending.length - 1];
    if (lastPending && BigInt(fetchedLast) > BigInt(lastPending.offset))
      this.options.handler.skipped?.({
        topic: batch.topic,
        partition: batch.partition,
        nextOffset: Number(fetchedLast) + 1,
      });
  }

  /** Where committed work ends (records below are skipped); undefined: no such step; null: stopped. */
  private async stableStart(scope: RetryScope): Promise<bigint | undefined | null> {
    const read = this.delivery.stableStart?.bind(this.delivery);
    if (!read) return undefined;
    const start = await retryUntilStopped(
      {
        what: 'reading the stable committed offset',
        run: () => read(scope.topic, scope.partition),
        decide: () => 'retry',
      },
      scope,
      this.policy,
    );
    if (!start.done) return null;
    this.eventTimes.seed(scope.topic, scope.partition, start.value.metadata);
    return start.value.offset;
  }

  private async handle(
    scope: RetryScope,
    messages: readonly KafkaMessage[],
    highWatermark: string,
  ): Promise<HandledBatch | undefined> {
    const { topic, partition, heartbeat } = scope;
    const outcome = await retryUntilStopped(
      {
        what: 'handler',
        run: () => this.options.handler.handle({ topic, partition, messages, highWatermark, heartbeat }),
        decide: failureAction,
      },
      scope,
      this.policy,
    );
    return outcome.done ? outcome.value : undefined;
  }

  private commitOffset(
    topic: string,
    partition: number,
    lastOffset: string,
    handled: HandledBatch,
  ): CommitOffset {
    const offset = nextOffset(lastOffset);
    const metadata = this.eventTimes.advance(topic, partition, handled.eventTimeMs);
    return metadata === undefined ? { topic, partition, offset } : { topic, partition, offset, metadata };
  }

  /**
   * Undefined once delivered, else why not. Delivery is the transport's own Kafka work, not a handler's, so failureAction does not apply:
   * every failure but fencing is retried with a fresh producer. kafkajs marks an error
   * non-retriable once its own retries ran out (KafkaJSNumberOfRetriesExceeded): the broker was
   * away for long, not a bug.
   */
  private async deliver(
    scope: RetryScope,
    handled: HandledBatch,
    lastOffset: string,
    chunkInfo: Pick<BatchDelivered, 'firstOffset' | 'rows' | 'handleMs'>,
  ): Promise<AbandonReason | undefined> {
    const { topic, partition } = scope;
    const offsets: readonly CommitOffset[] =
      this.commitMode === 'each-batch'
        ? [this.commitOffset(topic, partition, lastOffset, handled)]
        : (handled.commit ?? []);
    const started = performance.now();
    if (scope.superseded?.()) {
      // A producer made now would fence the partition's new owner (its epoch is newer): the new
      // owner, maybe this member again, redoes the micro-batch from the committed offset.
      handled.abandoned?.('rebalanced');
      return 'rebalanced';
    }
    if (offsets.length > 0 || handled.outputs.length > 0) {
      let attempted = false;
      const outcome = await retryUntilStopped(
        {
          what: 'delivery',
          run: async () => {
            // A commit whose answer was lost may have landed: sending again would write it twice.
            if (attempted && (await this.delivery.landed?.(topic, partition, offsets))) return;
            attempted = true;
            await this.delivery.deliver(topic, partition, handled.outputs, offsets);
          },
          decide: (error) => (isFenced(error) ? 'abandon' : 'retry'),
          beforeRetry: () => this.delivery.reset(topic, partition),
        },
        scope,
        this.policy,
      );
      if (!outcome.done) {
        // Not running but not stopping: kafkajs is restarting the consumer after a crash; the
        // partition is fetched again from the committed offset, possibly by another member.
        const reason = outcome.reason === 'stopped' && !this.stopping ? 'rebalanced' : outcome.reason;
        if (reason !== 'stopped') await this.delivery.reset(topic, partition);
        handled.abandoned?.(reason);
        return reason;
      }
    }
    handled.delivered?.({
      topic,
      partition,
      ...chunkInfo,
      outputs: handled.outputs.length,
      deliverMs: performance.now() - started,
    });
    return undefined;
  }
}
