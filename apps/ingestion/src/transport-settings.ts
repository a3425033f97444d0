import type { RunnerSettings } from '@streamscore/kafka';
import type { IngestionConfig } from './config';

/** How ingestion's transport consumes and delivers (its app module and the e2e bench's chain floor). */
export function transportSettings(config: IngestionConfig): RunnerSettings {
  return {
    groupId: config.STREAMSCORE_GROUP_ID,
    delivery: config.STREAMSCORE_DELIVERY,
    maxBatchRows: config.STREAMSCORE_MAX_BATCH_ROWS,
    overlapDelivery: config.STREAMSCORE_OVERLAP_DELIVERY,
    maxBatchWaitMs: config.STREAMSCORE_MAX_BATCH_WAIT_MS,
    partitionsConsumedConcurrently: config.STREAMSCORE_PARTITIONS_CONCURRENTLY,
    sessionTimeoutMs: config.STREAMSCORE_SESSION_TIMEOUT_MS,
  };
}
