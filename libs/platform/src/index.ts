export { createRedis, redisReadinessCheck, type RedisConnectionOptions } from './redis-client';
export {
  KAFKA,
  KAFKA_ADMIN,
  PLATFORM_OPTIONS,
  PlatformModule,
  REDIS,
  TOPICS,
  type PlatformOptions,
  type ServiceEnv,
} from './platform.module';
export {
  DEFAULT_FIELD_LIMITS,
  fieldSizeLimits,
  inputChecks,
  loadPipelineConfig,
  parsePipelineConfig,
  PipelineConfigError,
  type FieldLimits,
  type PipelineConfig,
  type StreamConfig,
} from './pipeline-config';
export { runnerLogger } from './runner-logger';
export { workerEntry } from './worker-entry';
export { serviceModules } from './service-modules';
export {
  BATCH_TRANSPORT,
  BatchHandlerController,
  batchTransport,
  HandlerErrorsToTransport,
  startBatchTransport,
  type BatchTransportSettings,
} from './transport/batch-transport';
export {
  batchPatterns,
  PartitionBatchContext,
  PartitionBatchServer,
  type PartitionBatchServerOptions,
} from './transport/partition-batch-server';
export { TransportMonitor, type TransportMonitorOptions } from './transport/transport-monitor';
export { DEFAULT_GROUP_IDS, predictionHops, validatedStreamHops } from './service-groups';
