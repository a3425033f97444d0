import { type DynamicModule, Module } from '@nestjs/common';
import { serviceModules } from '@streamscore/platform';
import type { FeaturesConfig } from './config';
import { loadFeatureDeployment } from './deployment';
import { featureStoreProvider } from './feature-store.provider';
import { FeaturesController } from './features.controller';
import { FeaturesMetrics } from './features.metrics';
import { MaterializationService } from './materialization.service';
import { DEPLOYMENT, FEATURES_CONFIG } from './tokens';

export const SERVICE_NAME = 'features';

@Module({})
export class AppModule {
  static forRoot(config: FeaturesConfig): DynamicModule {
    return {
      module: AppModule,
      imports: serviceModules({
        service: SERVICE_NAME,
        env: config,
        topics: ['eventsValidated', 'outcomesValidated', 'featuresDeadLetter'],
        redis: true,
      }),
      controllers: [FeaturesController],
      providers: [
        { provide: FEATURES_CONFIG, useValue: config },
        { provide: DEPLOYMENT, useValue: loadFeatureDeployment(config.STREAMSCORE_PIPELINE) },
        featureStoreProvider,
        FeaturesMetrics,
        MaterializationService,
      ],
    };
  }
}
