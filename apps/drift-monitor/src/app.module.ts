import { type DynamicModule, Module } from '@nestjs/common';
import type { TopicCatalogue } from '@streamscore/contracts';
import { METRICS_REGISTRY } from '@streamscore/observability';
import { batchTransport, loadPipelineConfig, serviceModules, TOPICS } from '@streamscore/platform';
import type { Registry } from 'prom-client';
import type { DriftMonitorConfig } from './config';
import { DriftPageController, DriftReportsController } from './drift.controller';
import { OBSERVE, DriftHandler } from './drift.handler';
import { DRIFT_METRICS_PREFIX, DriftMetrics } from './drift.metrics';
import { DriftMonitorService } from './drift-monitor.service';
import { driftTransactionalId } from './drift-outputs';
import { DRIFT_CONFIG, PIPELINE } from './tokens';

export const SERVICE_NAME = 'drift-monitor';

@Module({})
export class AppModule {
  static forRoot(config: DriftMonitorConfig): DynamicModule {
    const groupId = config.STREAMSCORE_GROUP_ID;
    return {
      module: AppModule,
      imports: serviceModules({
        service: SERVICE_NAME,
        env: config,
        topics: ['predictions', 'driftReports', 'driftAlerts', 'retrainingTriggers'],
        redis: false,
      }),
      controllers: [DriftReportsController, DriftPageController, DriftHandler],
      providers: [
        { provide: DRIFT_CONFIG, useValue: config },
        { provide: PIPELINE, useValue: loadPipelineConfig(config.STREAMSCORE_PIPELINE) },
        {
          provide: DriftMetrics,
          inject: [METRICS_REGISTRY],
          useFactory: (r: Registry) => new DriftMetrics(r),
        },
        DriftMonitorService,
        batchTransport({
          inject: [TOPICS],
          settings: (topics: TopicCatalogue) => ({
            pattern: OBSERVE,
            metricsPrefix: DRIFT_METRICS_PREFIX,
            groupId,
            topics: [topics.name('predictions')],
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
          }),
        }),
      ],
    };
  }
}
