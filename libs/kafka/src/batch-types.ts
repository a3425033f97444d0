// What the transport hands a batch handler and what it gets back: types only, so the runner,
// the output helpers and the handlers share them without importing each other.
import type { IHeaders, KafkaMessage } from 'kafkajs';

export type DeliveryMode = 'exactly-once' | 'at-least-once';

/** What a handler receives: one partition's micro-batch, in offset order. */
export interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly KafkaMessage[];
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

export interface BatchDelivered {
  readonly topic: string;
  readonly partition: number;
  /** Offset of the micro-batch's first record: tells apart micro-batches handled ahead (overlapDelivery). */
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
