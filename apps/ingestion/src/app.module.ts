import { type DynamicModule, Module } from '@nestjs/common';
import { createMetricsRegistry, ObservabilityModule } from '@streamscore/observability';
import { loadPipelineConfig, PlatformModule } from '@streamscore/platform';
import type { IngestionConfig } from './config';
import { EventsController } from './events.controller';
import { IngestionService } from './ingestion.service';
import { INGESTION_CONFIG, PIPELINE } from './tokens';

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
          apiKey: config.API_KEY,
        }),
        PlatformModule.forRoot({
          service: SERVICE_NAME,
          env: config,
          topics: ['events', 'outcomes', 'eventsValidated', 'outcomesValidated', 'eventsDeadLetter'],
          redis: false,
        }),
      ],
      controllers: [EventsController],
      providers: [
        { provide: INGESTION_CONFIG, useValue: config },
        { provide: PIPELINE, useValue: loadPipelineConfig(config.STREAMSCORE_PIPELINE) },
        IngestionService,
      ],
    };
  }
}
