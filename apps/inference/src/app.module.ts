import { type DynamicModule, Module } from '@nestjs/common';
import { createMetricsRegistry, ObservabilityModule } from '@streamscore/observability';
import { loadPipelineConfig, PlatformModule } from '@streamscore/platform';
import type { InferenceConfig } from './config';
import { InferenceService } from './inference.service';
import { INFERENCE_CONFIG, PIPELINE } from './tokens';

export const SERVICE_NAME = 'inference';

@Module({})
export class AppModule {
  static forRoot(config: InferenceConfig): DynamicModule {
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
          topics: [
            'eventsValidated',
            'predictions',
            'predictionsShadow',
            'predictionsDeadLetter',
            'modelDeployments',
            'modelDeploymentsAudit',
          ],
          redis: true,
        }),
      ],
      providers: [
        { provide: INFERENCE_CONFIG, useValue: config },
        { provide: PIPELINE, useValue: loadPipelineConfig(config.STREAMSCORE_PIPELINE) },
        InferenceService,
      ],
    };
  }
}
