import {
  bool,
  int,
  loadConfig,
  oneOf,
  optionalUrl,
  serviceEnv,
  str,
  type ConfigOf,
} from '@streamscore/config';
import { DEFAULT_GROUP_IDS } from '@streamscore/platform';

/** Every setting of the ingestion service; the only file that reads process.env. */
export const ingestionEnv = {
  ...serviceEnv,
  STREAMSCORE_PIPELINE: str({
    description: 'pipeline file naming the input schemas (e.g. demo/flights/pipeline.json)',
  }),
  STREAMSCORE_GROUP_ID: str({ default: DEFAULT_GROUP_IDS.ingestion }),
  STREAMSCORE_DELIVERY: oneOf(['exactly-once', 'at-least-once'] as const, { default: 'exactly-once' }),
  STREAMSCORE_MAX_BATCH_ROWS: int({ default: 5_000, min: 1, max: 100_000 }),
  STREAMSCORE_MAX_BATCH_WAIT_MS: int({ default: 100, min: 0, max: 60_000 }),
  STREAMSCORE_OVERLAP_DELIVERY: bool({
    default: true,
    description: "validate a fetch's next micro-batch while the current one's transaction commits",
  }),
  STREAMSCORE_SESSION_TIMEOUT_MS: int({ default: 30_000, min: 6_000, max: 300_000 }),
  STREAMSCORE_PARTITIONS_CONCURRENTLY: int({ default: 6, min: 1, max: 256 }),
  STREAMSCORE_MAX_MESSAGE_BYTES: int({ default: 1_048_576, min: 64, max: 64 * 1_048_576 }),
  STREAMSCORE_MAX_ARRAY_ITEMS: int({ default: 10_000, min: 0 }),
  STREAMSCORE_MAX_MAP_ENTRIES: int({ default: 10_000, min: 0 }),
  STREAMSCORE_HTTP_MAX_EVENTS: int({ default: 1_000, min: 1, max: 100_000 }),
  STREAMSCORE_HTTP_BODY_LIMIT: str({ default: '1mb', pattern: /^\d+(b|kb|mb)$/ }),
  SCHEMA_REGISTRY_URL: optionalUrl({
    protocols: ['http', 'https'],
    description: 'enables the Confluent wire format',
  }),
} as const;

export type IngestionConfig = ConfigOf<typeof ingestionEnv>;

export function loadIngestionConfig(env: NodeJS.ProcessEnv = process.env): IngestionConfig {
  return loadConfig(ingestionEnv, env, { strictPrefixes: ['STREAMSCORE_'] });
}
