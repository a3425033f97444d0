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
import { DRIFT_CONFIG, PIPELINE } from './tokens';
import { transportSettings } from './transport-settings';

export const SERVICE_NAME = 'drift-monitor';

@Module({})
export class AppModule {
  static forRoot(config: DriftMonitorConfig): DynamicModule {
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
            topics: [topics.name('predictions')],
            ...transportSettings(config),
          }),
        }),
      ],
    };
  }
}
