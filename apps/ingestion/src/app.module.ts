import { type DynamicModule, Module } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@streamscore/observability';
import { batchTransport, loadPipelineConfig, serviceModules } from '@streamscore/platform';
import type { IngestionConfig } from './config';
import { EventsController } from './events.controller';
import { transportSettings } from './transport-settings';
import { GATE_ROUTES, gateRoutesProvider, needsRedis, type GateRoutes } from './gate-routes';
import { IngestionMetrics } from './ingestion.metrics';
import { INGESTION_CONFIG, PIPELINE } from './tokens';
import { VALIDATE, ValidationHandler } from './validation.handler';

export const SERVICE_NAME = 'ingestion';

@Module({})
export class AppModule {
  static forRoot(config: IngestionConfig): DynamicModule {
    const pipeline = loadPipelineConfig(config.STREAMSCORE_PIPELINE);
    return {
      module: AppModule,
      imports: serviceModules({
        service: SERVICE_NAME,
        env: config,
        topics: ['events', 'outcomes', 'eventsValidated', 'outcomesValidated', 'eventsDeadLetter'],
        // Event-id claims of deduplicated streams live in Redis.
        redis: needsRedis(pipeline),
      }),
      controllers: [EventsController, ValidationHandler],
      providers: [
        { provide: INGESTION_CONFIG, useValue: config },
        { provide: PIPELINE, useValue: pipeline },
        {
          provide: IngestionMetrics,
          inject: [METRICS_REGISTRY],
          useFactory: (r: Registry) => new IngestionMetrics(r),
        },
        gateRoutesProvider,
        batchTransport({
          inject: [GATE_ROUTES],
          settings: (routes: GateRoutes) => ({
            pattern: VALIDATE,
            metricsPrefix: SERVICE_NAME,
            topics: [...routes.keys()],
            ...transportSettings(config),
          }),
        }),
      ],
    };
  }
}
