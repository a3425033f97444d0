import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { TopicCatalogue } from '@streamscore/contracts';
import { batchTransport, loadPipelineConfig, serviceModules, TOPICS } from '@streamscore/platform';
import type { InferenceConfig } from './config';
import { InferenceService } from './inference.service';
import { OipErrorFilter } from './oip-error.filter';
import { OipController, OipHealthController } from './open-inference.controller';
import { SCORE, ScoringHandler } from './scoring.handler';
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
      controllers: [ScoringHandler, OipHealthController, OipController],
      providers: [
        { provide: INFERENCE_CONFIG, useValue: config },
        { provide: PIPELINE, useValue: loadPipelineConfig(config.STREAMSCORE_PIPELINE) },
        InferenceService,
        { provide: APP_FILTER, useClass: OipErrorFilter },
        batchTransport({
          inject: [TOPICS],
          settings: (topics: TopicCatalogue) => ({
            pattern: SCORE,
            metricsPrefix: SERVICE_NAME,
            groupId: config.STREAMSCORE_GROUP_ID,
            topics: [topics.name('eventsValidated')],
            delivery: config.STREAMSCORE_DELIVERY,
            maxBatchRows: config.STREAMSCORE_MAX_BATCH_ROWS,
            overlapDelivery: config.STREAMSCORE_OVERLAP_DELIVERY,
            maxBatchWaitMs: config.STREAMSCORE_MAX_BATCH_WAIT_MS,
            maxBytesPerPartition: config.STREAMSCORE_MAX_BYTES_PER_PARTITION,
            partitionsConsumedConcurrently: config.STREAMSCORE_PARTITIONS_CONCURRENTLY,
            sessionTimeoutMs: config.STREAMSCORE_SESSION_TIMEOUT_MS,
          }),
        }),
      ],
    };
  }
}
