import type { Admin, Kafka, Producer } from 'kafkajs';
import type { CommitMode, CommitOffset, OutputMessage, PartitionAssignment } from './batch-types';
import { groupByTopic } from './output-records';
import type { PartitionBatchRunnerOptions } from './runner-options';
import { splitByBytes } from './split-by-bytes';
import { connectTransactional, TransactionalProducerPool } from './transactional-producers';

/**
 * How a micro-batch's outputs and input offsets land. Offsets never move before outputs: in one
 * transaction (exactly-once), or after the outputs are acknowledged (at-least-once).
 */
export interface Delivery {
  connect(): Promise<void>;
  close(): Promise<void>;
  /** A new assignment: releases what belonged to partitions this member lost. */
  assigned?(assignment: PartitionAssignment): void;
  /**
   * Before a partition's first micro-batch after an assignment: the first offset not yet
   * committed, once the previous owner can no longer commit; records below it are skipped.
   * Only deliveries with a producer per partition need this step. May throw: the caller retries.
   */
  stableStart?(topic: string, partition: number): Promise<StableStart>;
  deliver(
    topic: string,
    partition: number,
    outputs: readonly OutputMessage[],
    offsets: readonly CommitOffset[],
  ): Promise<void>;
  /** After a failed delivery: the next attempt starts over with a fresh producer. */
  reset(topic: string, partition: number): Promise<void>;
  /**
   * After a failed delivery, before sending it again: whether its transaction committed after all
   * (the broker can complete a commit whose answer the client never got). Only deliveries whose
   * offsets always move forward can tell; the others send again.
   */
  landed?(topic: string, partition: number, offsets: readonly CommitOffset[]): Promise<boolean>;
}

/** Where a partition's committed work ends, with the metadata committed there. */
export interface StableStart {
  readonly offset: bigint;
  readonly metadata: string | null;
}

/**
 * exactly-once, each micro-batch: outputs and offsets in one transaction of the input partition's
 * own producer, so a member that lost the partition is fenced by the next owner.
 */
export class PartitionTransactions implements Delivery {
  private readonly pool: TransactionalProducerPool;
  private readonly stableStarts = new Map<string, StableStart>();

  constructor(
    kafka: Kafka,
    private readonly admin: Admin,
    private readonly groupId: string,
    transactionTimeoutMs: number,
  ) {
    this.pool = new TransactionalProducerPool(kafka, groupId, transactionTimeoutMs);
  }

  async connect(): Promise<void> {
    await this.admin.connect();
  }

  async close(): Promise<void> {
    await this.pool.closeAll();
    await this.admin.disconnect().catch(() => undefined);
  }

  assigned(assignment: PartitionAssignment): void {
    const owned = new Set<string>();
    for (const [topic, partitions] of Object.entries(assignment))
      for (const p of partitions)
        owned.add(TransactionalProducerPool.transactionalId(this.groupId, topic, p));
    this.stableStarts.clear();
    void this.pool.retain(owned);
  }

  /**
   * kafkajs fetches a newly assigned partition's committed offset without KIP-447's require_stable,
   * so right after the previous owner's last commit it can read an offset whose transaction markers
   * are still being written, and redo that batch. Initialising this partition's transactional
   * producer first fences the previous owner and waits until its transaction is complete; the
   * committed offset read after that is stable.
   */
  async stableStart(topic: string, partition: number): Promise<StableStart> {
    const key = `${topic}:${partition}`;
    const known = this.stableStarts.get(key);
    if (known !== undefined) return known;
    await this.pool.get(topic, partition);
    const offsets = await this.admin.fetchOffsets({ groupId: this.groupId, topics: [topic] });
    const committed = offsets[0]?.partitions.find((p) => p.partition === partition);
    const offset = BigInt(committed?.offset ?? '-1');
    const start = { offset: offset < 0n ? 0n : offset, metadata: committed?.metadata ?? null };
    this.stableStarts.set(key, start);
    return start;
  }

  async deliver(
    topic: string,
    partition: number,
    outputs: readonly OutputMessage[],
    offsets: readonly CommitOffset[],
  ): Promise<void> {
    await inTransaction(await this.pool.get(topic, partition), this.groupId, outputs, offsets);
  }

  /**
   * Each micro-batch's offset is past the previous one's, so a committed offset at or past it means
   * this delivery's transaction committed. The fresh producer's init first waits until the failed
   * producer's transaction is complete (committed, or aborted if the commit never reached the
   * broker), so the offset read after it is final.
   */
  async landed(topic: string, partition: number, offsets: readonly CommitOffset[]): Promise<boolean> {
    const target = offsets.find((o) => o.topic === topic && o.partition === partition);
    if (!target) return false;
    await this.pool.get(topic, partition);
    const fetched = await this.admin.fetchOffsets({ groupId: this.groupId, topics: [topic] });
    const committed = fetched[0]?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
    return BigInt(committed) >= BigInt(target.offset);
  }

  async reset(topic: string, partition: number): Promise<void> {
    // Its init aborts whatever the failed producer left open, so nothing is delivered twice; the
    // committed offset is read again after it, since another member may have committed meanwhile.
    this.stableStarts.delete(`${topic}:${partition}`);
    await this.pool.discard(topic, partition);
  }
}

/**
 * exactly-once, when the handler says: outputs and the offsets the handler chose, of any of the
 * member's partitions, in one transaction of the member's one producer. Its fixed transactional id
 * fences a previous instance of the service: one active member per group.
 */
export class MemberTransaction implements Delivery {
  private producer: Promise<Producer> | undefined;
  private readonly admin: Admin;
  /** Per `topic:partition`, the offset this member's last delivered transaction committed. */
  private readonly committed = new Map<string, bigint>();

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
    private readonly transactionalId: string,
    private readonly transactionTimeoutMs: number,
  ) {
    this.admin = kafka.admin();
  }

  async connect(): Promise<void> {
    await this.admin.connect();
    await this.current();
  }

  async close(): Promise<void> {
    await this.reset();
    await this.admin.disconnect().catch(() => undefined);
  }

  async deliver(
    _topic: string,
    _partition: number,
    outputs: readonly OutputMessage[],
    offsets: readonly CommitOffset[],
  ): Promise<void> {
    await inTransaction(await this.current(), this.groupId, outputs, offsets);
    this.remember(offsets);
  }

  /**
   * The handler's offsets need not move on every delivery, so only a delivery that moves one past
   * what this member last committed there can tell: if the group's committed offset reached it, the
   * transaction committed (no one else commits for the group: the fixed transactional id fences
   * any other instance). A fresh producer's init first waits until the failed transaction is
   * complete, so the offsets read after it are final. Anything else (no offsets, none moved, only
   * partitions this member has not committed yet) cannot tell, and is sent again.
   */
  async landed(_topic: string, _partition: number, offsets: readonly CommitOffset[]): Promise<boolean> {
    const moved = offsets.filter((o) => {
      const before = this.committed.get(`${o.topic}:${o.partition}`);
      return before !== undefined && BigInt(o.offset) > before;
    });
    // One transaction commits all its offsets or none: a moved one tells for the rest.
    if (moved.length === 0) return false;
    await this.current();
    const topics = [...new Set(moved.map((o) => o.topic))];
    const fetched = await this.admin.fetchOffsets({ groupId: this.groupId, topics });
    const committedOf = (o: CommitOffset): bigint =>
      BigInt(
        fetched.find((t) => t.topic === o.topic)?.partitions.find((p) => p.partition === o.partition)
          ?.offset ?? '-1',
      );
    const landed = moved.every((o) => committedOf(o) >= BigInt(o.offset));
    if (landed) this.remember(offsets);
    return landed;
  }

  async reset(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (producer) await (await producer.catch(() => undefined))?.disconnect().catch(() => undefined);
  }

  private remember(offsets: readonly CommitOffset[]): void {
    for (const o of offsets) this.committed.set(`${o.topic}:${o.partition}`, BigInt(o.offset));
  }

  private current(): Promise<Producer> {
    if (!this.producer) {
      // Initialising the id fences a previous instance and aborts its open transaction.
      this.producer = connectTransactional(this.kafka, this.transactionalId, this.transactionTimeoutMs);
      this.producer.catch(() => (this.producer = undefined));
    }
    return this.producer;
  }
}

/** at-least-once: outputs acknowledged by all in-sync replicas, then the offsets committed by the consumer. */
export class AcksThenCommit implements Delivery {
  private readonly producer: Producer;

  constructor(
    kafka: Kafka,
    private readonly commit: (offsets: readonly CommitOffset[]) => Promise<void>,
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
  }

  async connect(): Promise<void> {
    await this.producer.connect();
  }

  async close(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
  }

  async deliver(
    _topic: string,
    _partition: number,
    outputs: readonly OutputMessage[],
    offsets: readonly CommitOffset[],
  ): Promise<void> {
    for (const part of splitByBytes(outputs))
      await this.producer.sendBatch({ topicMessages: groupByTopic(part), acks: -1 });
    await this.commit(offsets);
  }

  reset(): Promise<void> {
    return Promise.resolve();
  }
}

async function inTransaction(
  producer: Producer,
  groupId: string,
  outputs: readonly OutputMessage[],
  offsets: readonly CommitOffset[],
): Promise<void> {
  const transaction = await producer.transaction();
  try {
    for (const part of splitByBytes(outputs))
      await transaction.sendBatch({ topicMessages: groupByTopic(part) });
    if (offsets.length > 0)
      await transaction.sendOffsets({ consumerGroupId: groupId, topics: offsetsByTopic(offsets) });
    await transaction.commit();
  } catch (error) {
    await transaction.abort().catch(() => undefined);
    throw error;
  }
}

type TopicOffsetCommit = { partition: number; offset: string; metadata?: string };

function offsetsByTopic(
  offsets: readonly CommitOffset[],
): { topic: string; partitions: TopicOffsetCommit[] }[] {
  const byTopic = new Map<string, TopicOffsetCommit[]>();
  for (const { topic, partition, offset, metadata } of offsets) {
    const partitions = byTopic.get(topic) ?? [];
    partitions.push(metadata === undefined ? { partition, offset } : { partition, offset, metadata });
    byTopic.set(topic, partitions);
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}

/** The delivery a runner's options ask for; `commit` commits offsets through the consumer (at-least-once). */
export function createDelivery(
  options: PartitionBatchRunnerOptions,
  commitMode: CommitMode,
  commit: (offsets: readonly CommitOffset[]) => Promise<void>,
): Delivery {
  const { kafka, groupId } = options;
  const timeoutMs = options.transactionTimeoutMs ?? 30_000;
  if (options.delivery === 'at-least-once') {
    if (commitMode !== 'each-batch') throw new Error('commit when-handler-says needs exactly-once delivery');
    return new AcksThenCommit(kafka, commit);
  }
  if (commitMode === 'each-batch') return new PartitionTransactions(kafka, kafka.admin(), groupId, timeoutMs);
  return new MemberTransaction(kafka, groupId, options.transactionalId ?? `${groupId}.member`, timeoutMs);
}
