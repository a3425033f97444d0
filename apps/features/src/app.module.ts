import { type DynamicModule, Module } from '@nestjs/common';
import { batchTransport, serviceModules } from '@streamscore/platform';
import type { FeaturesConfig } from './config';
import { loadFeatureDeployment } from './deployment';
import { featureStoreProvider } from './feature-store.provider';
import { FeaturesController } from './features.controller';
import { FeaturesMetrics } from './features.metrics';
import { MATERIALIZE, MaterializationHandler } from './materialization.handler';
import { MaterializationService } from './materialization.service';
import { DEPLOYMENT, FEATURES_CONFIG, FEATURES_GROUP_ID } from './tokens';
import { transportSettings } from './transport-settings';

export const SERVICE_NAME = 'features';

@Module({})
export class AppModule {
  static forRoot(config: FeaturesConfig): DynamicModule {
    // A fresh group has no committed offsets, so it starts from the earliest retained record.
    const groupId = config.STREAMSCORE_REBUILD
      ? `${config.STREAMSCORE_GROUP_ID}-rebuild-${Date.now()}`
      : config.STREAMSCORE_GROUP_ID;
    return {
      module: AppModule,
      imports: serviceModules({
        service: SERVICE_NAME,
        env: config,
        topics: ['eventsValidated', 'outcomesValidated', 'featuresDeadLetter'],
        redis: true,
      }),
      controllers: [FeaturesController, MaterializationHandler],
      providers: [
        { provide: FEATURES_CONFIG, useValue: config },
        { provide: DEPLOYMENT, useValue: loadFeatureDeployment(config.STREAMSCORE_PIPELINE) },
        featureStoreProvider,
        FeaturesMetrics,
        { provide: FEATURES_GROUP_ID, useValue: groupId },
        MaterializationService,
        batchTransport({
          inject: [MaterializationService],
          settings: (materialization: MaterializationService) =>
            materialization.topics.length === 0
              ? undefined
              : {
                  pattern: MATERIALIZE,
                  metricsPrefix: SERVICE_NAME,
                  topics: materialization.topics,
                  ...transportSettings(config, groupId),
                },
        }),
      ],
    };
  }
}
