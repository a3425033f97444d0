// Test harness: where the brokers are, random names, explicit topics, reading topics back,
// and the local stack (a real Kafka and Redis without Docker) for tests that run their own.
export { randomName } from './harness/names';
export { testAddresses, testKafka, testRedis, type TestKafkaOptions } from './harness/clients';
export {
  createTestTopics,
  deleteTestTopics,
  scratchTopics,
  testCatalogue,
  type ScratchTopics,
  type TestCatalogueOptions,
  type TestTopicSpec,
} from './harness/topics';
export { expectedDeadLetter, type ExpectedDeadLetter } from './fixtures/dead-letters';
export { echoOutputs } from './fixtures/echo-outputs';
export { waitFor, type WaitForOptions } from './harness/wait-for';
export { scrape, sumMetric } from './harness/metrics-probe';
export {
  awaitGroupCommitted,
  endOffsetSum,
  groupBacklog,
  readTopicToEnd,
  topicEnds,
  type ReadMessage,
  type ReadTopicOptions,
} from './harness/read-topic';
export { TopicTail, type TailRecord, type TopicTailOptions } from './harness/topic-tail';
export { inWindow, measureWindow, percentile, type MeasureWindow } from './harness/measure-window';
export {
  startStack,
  stopStack,
  stackStatus,
  type StackHandle,
  type ComponentState,
  type SecureEndpoints,
  type Ownership,
  type StackStatus,
} from './stack/local-stack';
export {
  resolveTestStack,
  parseTestStackKind,
  type ResolvedStack,
  type TestStackKind,
} from './stack/resolve-stack';
export { freePort, privateStackOptions } from './stack/ports';
export { StackError, type StackErrorCode } from './stack/errors';
export {
  resolveStackOptions,
  type SecureListener,
  type StackOptions,
  type StackOptionsInput,
} from './stack/options';
export { kafkaAnswers, redisAnswers, portOpen } from './stack/readiness';
export * from './service-process';
// Generic fixtures shared by tests, benches and chaos runs (nothing domain-specific).
export {
  buildCorpus,
  buildFuzzCorpus,
  FIXTURE_PIPELINE,
  DEDUPLICATING_FIXTURE_PIPELINE,
  MAX_ARRAY_ITEMS,
  MAX_MESSAGE_BYTES,
  READING_SCHEMA_DIR,
  type CorpusMessage,
} from './fixtures/readings/input-corpus';
export {
  DRIFT_FIXTURE_DIR,
  DRIFT_FIXTURE_PIPELINE,
  FIXTURE_MODEL,
  prediction,
  syntheticRows,
  type SyntheticRow,
} from './fixtures/drift-predictions/synthetic-predictions';
