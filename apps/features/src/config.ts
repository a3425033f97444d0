import { bool, int, loadConfig, optionalStr, serviceEnv, str, type ConfigOf } from '@streamscore/config';
import { DEFAULT_GROUP_IDS } from '@streamscore/platform';

/** Every setting of the features service; the only file that reads process.env. */
export const featuresEnv = {
  ...serviceEnv,
  STREAMSCORE_PIPELINE: optionalStr({
    description:
      'pipeline file naming the stream schemas and the feature views (e.g. demo/flights/pipeline.json); without it the service has no views and consumes nothing',
  }),
  STREAMSCORE_GROUP_ID: str({ default: DEFAULT_GROUP_IDS.features }),
  STREAMSCORE_REBUILD: bool({
    default: false,
    description:
      'cold start: consume the retained history of both validated topics under a fresh consumer group',
  }),
  STREAMSCORE_MAX_BATCH_ROWS: int({ default: 2_000, min: 1, max: 100_000 }),
  STREAMSCORE_MAX_BATCH_WAIT_MS: int({ default: 100, min: 0, max: 60_000 }),
  STREAMSCORE_SESSION_TIMEOUT_MS: int({ default: 30_000, min: 6_000, max: 300_000 }),
  STREAMSCORE_PARTITIONS_CONCURRENTLY: int({ default: 6, min: 1, max: 256 }),
  STREAMSCORE_MAX_MESSAGE_BYTES: int({ default: 1_048_576, min: 64, max: 64 * 1_048_576 }),
  STREAMSCORE_RECORDS_PER_SCRIPT: int({ default: 500, min: 1, max: 10_000 }),
  STREAMSCORE_WATERMARK_REFRESH_MS: int({ default: 100, min: 50, max: 60_000 }),
  STREAMSCORE_INGESTION_GROUP_ID: str({
    default: DEFAULT_GROUP_IDS.ingestion,
    description:
      "ingestion's consumer group: the event-time progress committed with its offsets bounds what the validated topics may still receive, and so the view watermarks",
  }),
  STREAMSCORE_READ_DEADLINE_MS: int({ default: 1_000, min: 1, max: 60_000 }),
  STREAMSCORE_HTTP_MAX_QUERIES: int({ default: 1_000, min: 1, max: 100_000 }),
} as const;

export type FeaturesConfig = ConfigOf<typeof featuresEnv>;

export function loadFeaturesConfig(env: NodeJS.ProcessEnv = process.env): FeaturesConfig {
  return loadConfig(featuresEnv, env, { strictPrefixes: ['STREAMSCORE_'] });
}
