import type { Kafka } from 'kafkajs';
import type { BackoffOptions } from '../backoff';
import type { BatchHandler, CommitMode, DeliveryMode, RunnerLogger } from './batch-types';

/** How a service's transport consumes, hands micro-batches to its handler and delivers. */
export interface PartitionBatchRunnerOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly handler: BatchHandler;
  readonly delivery?: DeliveryMode;
  readonly commit?: CommitMode;
  /** `when-handler-says`: the member producer's transactional id (one active member per id). */
  readonly transactionalId?: string;
  /**
   * Hand the handler a fetch's next micro-batch while the current one is being delivered, so a
   * partition does not sit idle through the delivery's round trips (a transaction is four or five).
   * Deliveries stay in order, one at a time, and a micro-batch whose predecessor is not delivered is
   * dropped, never delivered: only for handlers without side effects of their own, with
   * `each-batch` commits. Off by default.
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
  readonly onRetry?: (error: unknown, attempt: number, topic: string, partition: number) => void;
  readonly onFatal?: (error: unknown) => void;
}

/** What a service decides about its runner: everything but the client, the handler and the topics. */
export type RunnerSettings = Omit<PartitionBatchRunnerOptions, 'kafka' | 'handler' | 'topics'>;
