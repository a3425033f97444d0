export { backoffDelayMs, sleep, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
export { chunk } from './chunks';
export { deadLetter } from './dead-letter';
export { failureAction, type FailureAction } from './failure-action';
export { createKafka, kafkaOptionsFromEnv, type KafkaConnectionOptions } from './kafka-client';
export { consumerGroupLag, kafkaReadinessCheck } from './kafka-readiness';
export type {
  BatchDelivered,
  DeliveryMode,
  OutputMessage,
  PartitionBatch,
  RunnerLogger,
} from './batch-types';
export { PartitionBatchRunner, type PartitionBatchRunnerOptions } from './partition-batch-runner';
export { PendingDeliveries } from './pending-deliveries';
export { ensureTopics, verifyTopics } from './topic-admin';
export {
  TRANSACTION_RETRY_MS,
  TransactionalProducerPool,
  transactionalProducerConfig,
} from './transactional-producers';
export { endOffsetSum, endOffsets, topicEnds, type TopicOffsets } from './topic-ends';
export {
  TopicReader,
  readTopicToEnd,
  readTopicsToEnd,
  type OnTopicRecord,
  type ReadToEndOptions,
  type TopicReaderOptions,
  type TopicRecord,
} from './topic-reader';
