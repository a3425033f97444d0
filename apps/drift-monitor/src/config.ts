import { resolve } from 'node:path';
import { bool, int, loadConfig, num, oneOf, serviceEnv, str, type ConfigOf } from '@streamscore/config';
import { DEFAULT_GROUP_IDS } from '@streamscore/platform';

const DAY_MS = 86_400_000;

/** Every setting of the drift-monitor service; the only file that reads process.env. */
export const driftMonitorEnv = {
  ...serviceEnv,
  STREAMSCORE_PIPELINE: str({ description: 'pipeline file; its modelRepository holds the manifests' }),
  STREAMSCORE_SCHEMAS_DIR: str({
    default: resolve(process.cwd(), 'schemas'),
    description: 'the platform schemas directory (prediction, drift-report, …)',
  }),
  STREAMSCORE_GROUP_ID: str({ default: DEFAULT_GROUP_IDS.drift }),
  STREAMSCORE_INGESTION_GROUP_ID: str({
    default: DEFAULT_GROUP_IDS.ingestion,
    description:
      "ingestion's consumer group: its committed event-time progress bounds the predictions still to come",
  }),
  STREAMSCORE_INFERENCE_GROUP_ID: str({
    default: DEFAULT_GROUP_IDS.inference,
    description:
      "inference's consumer group: its committed event-time progress bounds the predictions still to come",
  }),
  STREAMSCORE_WATERMARK_REFRESH_MS: int({
    default: 200,
    min: 50,
    max: 60_000,
    description: 'how often the upstream event-time progress that closes windows is read',
  }),
  STREAMSCORE_DRIFT_WINDOW: oneOf(['time', 'count'] as const, { default: 'time' }),
  STREAMSCORE_DRIFT_WINDOW_MS: int({ default: DAY_MS, min: 1 }),
  STREAMSCORE_DRIFT_WINDOW_EVENTS: int({ default: 100_000, min: 1 }),
  STREAMSCORE_DRIFT_ALLOWED_LATENESS_MS: int({ default: 3_600_000, min: 0 }),
  STREAMSCORE_DRIFT_MIN_WINDOW_EVENTS: int({ default: 500, min: 1 }),
  STREAMSCORE_DRIFT_VALUES_PER_FEATURE: int({ default: 100_000, min: 100, max: 10_000_000 }),
  STREAMSCORE_DRIFT_PSI_THRESHOLD: num({ default: 0.2, min: 0 }),
  STREAMSCORE_DRIFT_KS_THRESHOLD: num({ default: 0.1, min: 0, max: 1 }),
  STREAMSCORE_DRIFT_PVALUE_THRESHOLD: num({ default: 0.05, min: 0, max: 1 }),
  STREAMSCORE_DRIFT_CORRECTION: oneOf(['benjamini-hochberg', 'bonferroni', 'none'] as const, {
    default: 'benjamini-hochberg',
  }),
  STREAMSCORE_DRIFT_DATASET_SHARE: num({ default: 0.5, min: 0, max: 1 }),
  STREAMSCORE_DRIFT_ALERT_AFTER: int({ default: 3, min: 1, max: 1_000 }),
  STREAMSCORE_DRIFT_RESOLVE_AFTER: int({ default: 3, min: 1, max: 1_000 }),
  STREAMSCORE_DRIFT_TRIGGER_AFTER: int({ default: 3, min: 1, max: 1_000 }),
  STREAMSCORE_DRIFT_COOLDOWN_WINDOWS: int({ default: 7, min: 0, max: 100_000 }),
  STREAMSCORE_DRIFT_REPORTS_KEPT: int({ default: 100, min: 1, max: 10_000 }),
  STREAMSCORE_DRIFT_MAX_BYTES_PER_PARTITION: int({ default: 1_048_576, min: 1_024 }),
  STREAMSCORE_DRIFT_HISTORY_TIMEOUT_MS: int({ default: 60_000, min: 1_000 }),
  STREAMSCORE_DRIFT_PAGE_PUBLIC: bool({
    default: false,
    description: 'serve GET /drift without the API key (read-only; the reports API still needs it)',
  }),
} as const;

export type DriftMonitorConfig = ConfigOf<typeof driftMonitorEnv>;

export function loadDriftMonitorConfig(env: NodeJS.ProcessEnv = process.env): DriftMonitorConfig {
  return loadConfig(driftMonitorEnv, env, { strictPrefixes: ['STREAMSCORE_'] });
}
