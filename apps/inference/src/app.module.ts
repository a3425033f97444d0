import { type DynamicModule, Module } from '@nestjs/common';
import { loadPipelineConfig, serviceModules } from '@streamscore/platform';
import type { InferenceConfig } from './config';
import { InferenceService } from './inference.service';
import { INFERENCE_CONFIG, PIPELINE } from './tokens';

export const SERVICE_NAME = 'inference';

@Module({})
export class AppModule {
  static forRoot(config: InferenceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: serviceModules({
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
      providers: [
        { provide: INFERENCE_CONFIG, useValue: config },
        { provide: PIPELINE, useValue: loadPipelineConfig(config.STREAMSCORE_PIPELINE) },
        InferenceService,
      ],
    };
  }
}
