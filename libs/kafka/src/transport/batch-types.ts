// What the transport hands a batch handler and what it gets back: types only, so the fetch loop,
// delivery, the output helpers and the handlers share them without importing each other.
import type { IHeaders, KafkaMessage } from 'kafkajs';

export type DeliveryMode = 'exactly-once' | 'at-least-once';

/**
 * Which input offsets go with a delivery. `each-batch`: every micro-batch's own, in a transaction
 * of its partition's producer (stateless handlers). `when-handler-says`: only the offsets a handler
 * returns, in a transaction of the member's one producer (handlers that keep state across
 * micro-batches and partitions, such as windows: offsets move only past what they reported).
 */
export type CommitMode = 'each-batch' | 'when-handler-says';

/** What a handler receives: one partition's micro-batch, in offset order. */
export interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly KafkaMessage[];
  /** The partition's high watermark when fetched: the micro-batch is the last one when its last offset + 1 reaches it. */
  readonly highWatermark: string;
  /** Call during long work so the group does not think this member died. */
  heartbeat(): Promise<void>;
}

export interface OutputMessage {
  readonly topic: string;
  readonly key: Buffer | string | null;
  readonly value: Buffer | null;
  readonly headers?: IHeaders;
  readonly partition?: number;
}

/** An input position to commit: the offset of the next record to read. */
export interface CommitOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** Committed with the offset: the partition's event-time progress (progress/commit-metadata.ts). */
  readonly metadata?: string;
}

/**
 * Why a handled micro-batch's outputs were never delivered: another member took the partition
 * over ('fenced'); the group rebalanced, or kafkajs restarted the consumer after a crash, while a
 * failure was being retried ('rebalanced'); or the service is stopping ('stopped'). In every case
 * the partition's next owner redoes it from the committed offset.
 */
export type AbandonReason = 'fenced' | 'rebalanced' | 'stopped';

/** What a handler returns for a micro-batch; the transport delivers it and reports back. */
export interface HandledBatch {
  readonly outputs: readonly OutputMessage[];
  /**
   * `when-handler-says` only: the offsets delivered with the outputs. Without them and without
   * outputs nothing is written; the fetch position still moves on.
   */
  readonly commit?: readonly CommitOffset[];
  /**
   * `each-batch` only: the greatest event time among the micro-batch's records, for the event-time
   * progress committed with its offset, which readers of this service's outputs wait on.
   */
  readonly eventTimeMs?: number;
  /** Once the outputs and offsets landed: count what was delivered, never what was only handled. */
  readonly delivered?: (info: BatchDelivered) => void;
  /** The outputs will never land from this member: its state past the committed offsets is stale. */
  readonly abandoned?: (reason: AbandonReason) => void;
}

/**
 * A service's code behind the transport. The one error rule: bad data is never thrown: it becomes a
 * dead-letter output with its code. A retriable error is retried with backoff until it succeeds or
 * the service stops. Any other thrown error is a bug: the service stops loudly, offsets uncommitted.
 */
export interface BatchHandler {
  handle(batch: PartitionBatch): Promise<HandledBatch>;
  /** After a rebalance, with this member's partitions per topic; awaited before the next micro-batch. */
  assigned?(assignment: PartitionAssignment): Promise<void>;
  /**
   * A fetch held only records no handler sees (a transaction's commit marker, aborted records): the
   * partition's position moved to `nextOffset` with nothing to deliver, so a handler comparing its
   * progress with the high watermark can see that the partition is caught up.
   */
  skipped?(position: PartitionPosition): void;
}

export type PartitionAssignment = Readonly<Record<string, readonly number[]>>;

export interface PartitionPosition {
  readonly topic: string;
  readonly partition: number;
  readonly nextOffset: number;
}

export interface BatchDelivered {
  readonly topic: string;
  readonly partition: number;
  /** Offset of the micro-batch's first record. */
  readonly firstOffset: string;
  readonly rows: number;
  readonly outputs: number;
  readonly handleMs: number;
  readonly deliverMs: number;
}

export interface RunnerLogger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}
