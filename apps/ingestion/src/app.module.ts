import { type DynamicModule, Module } from '@nestjs/common';
import { loadPipelineConfig, serviceModules } from '@streamscore/platform';
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
      imports: serviceModules({
        service: SERVICE_NAME,
        env: config,
        topics: ['events', 'outcomes', 'eventsValidated', 'outcomesValidated', 'eventsDeadLetter'],
        redis: false,
      }),
      controllers: [EventsController],
      providers: [
        { provide: INGESTION_CONFIG, useValue: config },
        { provide: PIPELINE, useValue: loadPipelineConfig(config.STREAMSCORE_PIPELINE) },
        IngestionService,
      ],
    };
  }
}
