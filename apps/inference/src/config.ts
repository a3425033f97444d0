import { resolve } from 'node:path';
import {
  bool,
  int,
  list,
  loadConfig,
  oneOf,
  optionalStr,
  serviceEnv,
  str,
  type ConfigOf,
} from '@streamscore/config';
import { DEFAULT_GROUP_IDS } from '@streamscore/platform';

/** Every setting of the inference service; the only file that reads process.env. */
export const inferenceEnv = {
  ...serviceEnv,
  STREAMSCORE_PIPELINE: str({
    description: 'pipeline file: input schema, feature views, model repository and model name',
  }),
  STREAMSCORE_SCHEMAS_DIR: str({
    default: resolve(process.cwd(), 'schemas'),
    description: 'the platform schemas directory (prediction)',
  }),
  STREAMSCORE_GROUP_ID: str({ default: DEFAULT_GROUP_IDS.inference }),
  STREAMSCORE_DELIVERY: oneOf(['exactly-once', 'at-least-once'] as const, { default: 'exactly-once' }),
  STREAMSCORE_MAX_BATCH_ROWS: int({ default: 1_000, min: 1, max: 100_000 }),
  STREAMSCORE_MAX_BATCH_WAIT_MS: int({ default: 50, min: 0, max: 60_000 }),
  STREAMSCORE_OVERLAP_DELIVERY: bool({
    default: true,
    description: "score a fetch's next micro-batch while the current one's transaction commits",
  }),
  STREAMSCORE_MAX_BYTES_PER_PARTITION: int({ default: 1_048_576, min: 1_024, max: 64 * 1_048_576 }),
  STREAMSCORE_PARTITIONS_CONCURRENTLY: int({ default: 3, min: 1, max: 256 }),
  STREAMSCORE_SESSION_TIMEOUT_MS: int({ default: 30_000, min: 6_000, max: 300_000 }),
  STREAMSCORE_FEATURE_MAX_WAIT_MS: int({ default: 500, min: 0, max: 60_000 }),
  STREAMSCORE_FEATURE_CACHE_SLABS: int({
    default: 50_000,
    min: 0,
    max: 10_000_000,
    description:
      'slab hashes whose final buckets are kept in memory (each read from Redis once); 0 turns it off',
  }),
  STREAMSCORE_FEATURE_THREAD: bool({
    default: true,
    description: 'plan, read and merge feature windows in a worker thread, off the Kafka event loop',
  }),
  STREAMSCORE_FEATURE_READ_DEADLINE_MS: int({ default: 2_000, min: 10, max: 60_000 }),
  STREAMSCORE_SCORING_WORKERS: int({ default: 1, min: 1, max: 64 }),
  STREAMSCORE_INTRA_OP_THREADS: int({ default: 1, min: 1, max: 64 }),
  STREAMSCORE_EXECUTION_PROVIDERS: list({
    default: ['cpu'],
    allowed: ['cuda', 'cpu'],
    description: 'ordered ONNX Runtime execution providers, e.g. cuda,cpu (CUDA needs the GPU build)',
  }),
  STREAMSCORE_OIP_MAX_BATCH_ROWS: int({
    default: 1_000,
    min: 1,
    max: 100_000,
    description:
      'rows one ONNX Runtime run of /v2 infer requests takes at most (a larger request runs alone)',
  }),
  STREAMSCORE_OIP_MAX_QUEUE_DELAY_MS: int({
    default: 2,
    min: 0,
    max: 1_000,
    description:
      'how long a /v2 infer request waits at most for others to share its run (never while a scoring worker is idle)',
  }),
  STREAMSCORE_OIP_PUBLISH_PREDICTIONS: bool({
    default: true,
    description:
      'publish a Prediction per row of each answered /v2 infer request to the predictions topic (at least once, drops counted)',
  }),
  STREAMSCORE_OIP_PUBLISH_QUEUE_ROWS: int({
    default: 10_000,
    min: 1,
    max: 1_000_000,
    description:
      '/v2 predictions held for publishing at most; a request whose rows do not fit is not published (counted as dropped)',
  }),
  STREAMSCORE_CANARY_KEY_FIELD: optionalStr({
    description: 'event field hashed for canary routing; defaults to the pipeline idField',
  }),
} as const;

export type InferenceConfig = ConfigOf<typeof inferenceEnv>;

export function loadInferenceConfig(env: NodeJS.ProcessEnv = process.env): InferenceConfig {
  return loadConfig(inferenceEnv, env, { strictPrefixes: ['STREAMSCORE_'] });
}
