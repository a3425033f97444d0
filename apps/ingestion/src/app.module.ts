import { type DynamicModule, Module } from '@nestjs/common';
import { createMetricsRegistry, ObservabilityModule } from '@streamscore/observability';
import { PlatformModule } from '@streamscore/platform';
import type { IngestionConfig } from './config';

export const SERVICE_NAME = 'ingestion';

@Module({})
export class AppModule {
  static forRoot(config: IngestionConfig): DynamicModule {
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
          topics: ['events', 'outcomes', 'eventsValidated', 'outcomesValidated', 'eventsDeadLetter'],
          redis: false,
        }),
      ],
    };
  }
}
