import type { RunnerSettings } from '@streamscore/kafka';
import type { DriftMonitorConfig } from './config';
import { driftTransactionalId } from './drift-outputs';

/** How the drift monitor's transport consumes and delivers (its app module and the e2e bench's chain floor). */
export function transportSettings(config: DriftMonitorConfig): RunnerSettings {
  const groupId = config.STREAMSCORE_GROUP_ID;
  return {
    groupId,
    // Offsets move only past reported windows, in the transaction of the member's one producer.
    commit: 'when-handler-says',
    transactionalId: driftTransactionalId(groupId),
    // A window's transaction can carry many reports; as before the transport, 60 s.
    transactionTimeoutMs: 60_000,
    // One partition at a time: windows span partitions, and a micro-batch may close them.
    partitionsConsumedConcurrently: 1,
    maxBytesPerPartition: config.STREAMSCORE_DRIFT_MAX_BYTES_PER_PARTITION,
    maxBatchWaitMs: 500,
    maxBatchRows: 5_000,
  };
}
