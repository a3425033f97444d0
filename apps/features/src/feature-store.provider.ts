import type { Provider } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { FeatureMaterializer, FeatureReader } from '@streamscore/features';
import { REDIS } from '@streamscore/platform';
import type { FeaturesConfig } from './config';
import type { FeatureDeployment } from './deployment';
import { DEPLOYMENT, FEATURE_STORE, FEATURES_CONFIG } from './tokens';

export interface ServiceFeatureStore {
  readonly materializer: FeatureMaterializer;
  readonly reader: FeatureReader;
  readonly keyPrefix: string;
}

/**
 * Writer and reader on the platform's Redis client, so the readiness check watches the very
 * connection that serves features. REDIS_KEY_PREFIX is the store's key prefix, applied by
 * @streamscore/features (not by ioredis) so the stored keys are the documented ones.
 */
export const featureStoreProvider: Provider = {
  provide: FEATURE_STORE,
  inject: [REDIS, FEATURES_CONFIG, DEPLOYMENT],
  useFactory: (redis: Redis, config: FeaturesConfig, deployment: FeatureDeployment): ServiceFeatureStore => {
    const keyPrefix = config.REDIS_KEY_PREFIX;
    return {
      materializer: new FeatureMaterializer(redis, deployment.views, {
        keyPrefix,
        recordsPerScript: config.STREAMSCORE_RECORDS_PER_SCRIPT,
      }),
      reader: new FeatureReader(redis, deployment.views, { keyPrefix }),
      keyPrefix,
    };
  },
};
