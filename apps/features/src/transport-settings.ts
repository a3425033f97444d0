import type { RunnerSettings } from '@streamscore/kafka';
import type { FeaturesConfig } from './config';

/**
 * How the features service's transport consumes and delivers (its app module and the e2e bench's
 * chain floor); `groupId` differs from the configured one on a rebuild.
 */
export function transportSettings(
  config: FeaturesConfig,
  groupId = config.STREAMSCORE_GROUP_ID,
): RunnerSettings {
  return {
    groupId,
    delivery: 'exactly-once',
    fromBeginning: true,
    maxBatchRows: config.STREAMSCORE_MAX_BATCH_ROWS,
    maxBatchWaitMs: config.STREAMSCORE_MAX_BATCH_WAIT_MS,
    partitionsConsumedConcurrently: config.STREAMSCORE_PARTITIONS_CONCURRENTLY,
    sessionTimeoutMs: config.STREAMSCORE_SESSION_TIMEOUT_MS,
  };
}
