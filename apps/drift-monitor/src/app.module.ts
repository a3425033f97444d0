import { type DynamicModule, Module } from '@nestjs/common';
import { createMetricsRegistry, ObservabilityModule } from '@streamscore/observability';
import { PlatformModule } from '@streamscore/platform';
import type { DriftMonitorConfig } from './config';

export const SERVICE_NAME = 'drift-monitor';

@Module({})
export class AppModule {
  static forRoot(config: DriftMonitorConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({
          service: SERVICE_NAME,
          registry: createMetricsRegistry(SERVICE_NAME),
          logLevel: config.LOG_LEVEL,
        }),
        PlatformModule.forRoot({
          service: SERVICE_NAME,
          env: config,
          topics: ['predictions', 'driftReports', 'driftAlerts', 'retrainingTriggers'],
          redis: false,
        }),
      ],
    };
  }
}
