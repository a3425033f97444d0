import type { Kafka, Producer, ProducerConfig } from 'kafkajs';

/**
 * First retry of a transactional producer's requests, in ms. A transaction started right after the
 * previous one committed is often answered CONCURRENT_TRANSACTIONS while the broker still writes
 * the previous markers (a few ms). kafkajs retries that like any error, after the client's
 * `initialRetryTime` (200 ms in createKafka), several times what a whole 100–1,000-record
 * transaction costs here (15–40 ms). The Java client retries it after 20 ms (TransactionManager's
 * ADD_PARTITIONS_RETRY_BACKOFF_MS); so do we. Measured by the inference bench's transaction_ms.
 */
export const TRANSACTION_RETRY_MS = 20;

/**
 * Settings of every transactional producer of the platform (runner pool, drift monitor,
 * deployment writer). Retries stay unbounded in count, as kafkajs requires of an idempotent
 * producer, and grow exponentially to the client's maxRetryTime.
 */
export function transactionalProducerConfig(
  transactionalId: string,
  transactionTimeoutMs?: number,
): ProducerConfig {
  return {
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    retry: { initialRetryTime: TRANSACTION_RETRY_MS, retries: Number.MAX_SAFE_INTEGER },
    ...(transactionTimeoutMs === undefined ? {} : { transactionTimeout: transactionTimeoutMs }),
  };
}

/**
 * Connects a transactional producer and initialises its transactional id now. kafkajs 2.2.4's
 * connect() only gets a plain idempotent producer id; the transactional InitProducerId (which bumps
 * the epoch, fencing the previous holder of the id, and waits until its open transaction is
 * complete) runs at the first transaction(). An empty transaction is begun and aborted (locally:
 * nothing was added, so no EndTxn is sent) to run it at once.
 */
export async function connectTransactional(
  kafka: Kafka,
  transactionalId: string,
  transactionTimeoutMs?: number,
): Promise<Producer> {
  const producer = kafka.producer(transactionalProducerConfig(transactionalId, transactionTimeoutMs));
  await producer.connect();
  try {
    await (await producer.transaction()).abort();
  } catch (error) {
    await producer.disconnect().catch(() => undefined);
    throw error;
  }
  return producer;
}

/**
 * One transactional producer per assigned input partition, with a stable transactional id
 * derived from group, topic and partition. kafkajs has no KIP-447 (TxnOffsetCommit v0/v1 only), so
 * this is what fences a zombie: the partition's next owner initialises the same id, which bumps the
 * epoch and aborts the old owner's open transaction.
 */
export class TransactionalProducerPool {
  private readonly producers = new Map<string, Promise<Producer>>();

  constructor(
    private readonly kafka: Kafka,
    private readonly idPrefix: string,
    private readonly transactionTimeoutMs: number,
  ) {}

  static transactionalId(prefix: string, topic: string, partition: number): string {
    return `${prefix}.${topic}.${partition}`;
  }

  get(topic: string, partition: number): Promise<Producer> {
    const id = TransactionalProducerPool.transactionalId(this.idPrefix, topic, partition);
    let producer = this.producers.get(id);
    if (!producer) {
      producer = this.create(id);
      this.producers.set(id, producer);
      // A failed connect must not poison the pool: the next call tries again.
      producer.catch(() => this.producers.delete(id));
    }
    return producer;
  }

  /** Drops (and disconnects) one partition's producer, e.g. after it was fenced or errored. */
  async discard(topic: string, partition: number): Promise<void> {
    const id = TransactionalProducerPool.transactionalId(this.idPrefix, topic, partition);
    const producer = this.producers.get(id);
    this.producers.delete(id);
    if (producer) await disconnectQuietly(producer);
  }

  /** Releases the producers of partitions this member no longer owns. */
  async retain(owned: ReadonlySet<string>): Promise<void> {
    const stale = [...this.producers.keys()].filter((id) => !owned.has(id));
    await Promise.all(
      stale.map(async (id) => {
        const producer = this.producers.get(id);
        this.producers.delete(id);
        if (producer) await disconnectQuietly(producer);
      }),
    );
  }

  async closeAll(): Promise<void> {
    const all = [...this.producers.values()];
    this.producers.clear();
    await Promise.all(all.map(disconnectQuietly));
  }

  get size(): number {
    return this.producers.size;
  }

  /** The fencing step: the id's epoch is bumped before the pool hands the producer out. */
  private create(transactionalId: string): Promise<Producer> {
    return connectTransactional(this.kafka, transactionalId, this.transactionTimeoutMs);
  }
}

async function disconnectQuietly(producer: Promise<Producer>): Promise<void> {
  try {
    await (await producer).disconnect();
  } catch {
    // Already broken or never connected: nothing to release.
  }
}
