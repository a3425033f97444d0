import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { TopicCatalogue } from '@streamscore/contracts';
import { batchTransport, loadPipelineConfig, serviceModules, TOPICS } from '@streamscore/platform';
import type { InferenceConfig } from './config';
import { InferenceService } from './inference.service';
import { OipErrorFilter } from './oip-error.filter';
import { OipPredictionPublishing } from './oip-publishing';
import { OipController, OipHealthController } from './open-inference.controller';
import { SCORE, ScoringHandler } from './scoring.handler';
import { INFERENCE_CONFIG, PIPELINE } from './tokens';
import { transportSettings } from './transport-settings';

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
      controllers: [ScoringHandler, OipHealthController, OipController],
      providers: [
        { provide: INFERENCE_CONFIG, useValue: config },
        { provide: PIPELINE, useValue: loadPipelineConfig(config.STREAMSCORE_PIPELINE) },
        InferenceService,
        OipPredictionPublishing,
        { provide: APP_FILTER, useClass: OipErrorFilter },
        batchTransport({
          inject: [TOPICS],
          settings: (topics: TopicCatalogue) => ({
            pattern: SCORE,
            metricsPrefix: SERVICE_NAME,
            topics: [topics.name('eventsValidated')],
            ...transportSettings(config),
          }),
        }),
      ],
    };
  }
}
