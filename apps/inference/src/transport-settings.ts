import type { RunnerSettings } from '@streamscore/kafka';
import type { InferenceConfig } from './config';

/** How inference's transport consumes and delivers (its app module and the e2e bench's chain floor). */
export function transportSettings(config: InferenceConfig): RunnerSettings {
  return {
    groupId: config.STREAMSCORE_GROUP_ID,
    delivery: config.STREAMSCORE_DELIVERY,
    maxBatchRows: config.STREAMSCORE_MAX_BATCH_ROWS,
    overlapDelivery: config.STREAMSCORE_OVERLAP_DELIVERY,
    maxBatchWaitMs: config.STREAMSCORE_MAX_BATCH_WAIT_MS,
    maxBytesPerPartition: config.STREAMSCORE_MAX_BYTES_PER_PARTITION,
    partitionsConsumedConcurrently: config.STREAMSCORE_PARTITIONS_CONCURRENTLY,
    sessionTimeoutMs: config.STREAMSCORE_SESSION_TIMEOUT_MS,
  };
}
