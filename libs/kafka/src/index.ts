export { backoffDelayMs, sleep, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
export { chunk } from './transport/chunks';
export { DEAD_LETTER_COPY_BYTES, deadLetter } from './dead-letter';
export { failureAction, type FailureAction } from './transport/failure-action';
export { createKafka, kafkaOptionsFromEnv, type KafkaConnectionOptions } from './kafka-client';
export { consumerGroupLag, kafkaReadinessCheck } from './kafka-readiness';
export type {
  AbandonReason,
  BatchDelivered,
  BatchHandler,
  CommitMode,
  CommitOffset,
  DeliveryMode,
  HandledBatch,
  OutputMessage,
  PartitionAssignment,
  PartitionBatch,
  PartitionPosition,
  RunnerLogger,
} from './transport/batch-types';
export { PartitionBatchRunner, type PartitionBatchRunnerOptions } from './transport/fetch-loop';
export type { RunnerSettings } from './transport/runner-options';
export { ensureTopics, verifyTopics } from './topic-admin';
export {
  connectTransactional,
  TRANSACTION_RETRY_MS,
  TransactionalProducerPool,
  transactionalProducerConfig,
} from './transport/transactional-producers';
export { endOffsetSum, endOffsets, topicEnds, type TopicOffsets } from './topic-ends';
export {
  READER_MAX_WAIT_MS,
  TopicReader,
  readTopicToEnd,
  readTopicsToEnd,
  type OnTopicRecord,
  type ReadToEndOptions,
  type TopicReaderOptions,
  type TopicRecord,
} from './topic-reader';
export { decodeEventTime, encodeEventTime } from './progress/commit-metadata';
export {
  isCaughtUp,
  NO_PROGRESS_MS,
  readUpstreamBound,
  upstreamBoundMs,
  type HopPartition,
  type HopSnapshot,
  type ProgressHop,
} from './progress/upstream-progress';
export {
  ProgressHistory,
  unreadBoundMs,
  UNKNOWN,
  type ProgressReading,
  type ReaderPosition,
} from './progress/progress-history';
