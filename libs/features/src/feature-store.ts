import type { Redis } from 'ioredis';
import type { FeatureView } from './feature-view';
import { FeatureMaterializer, type MaterializerOptions } from './materializer';
import { FeatureReader } from './reader';
import { createFeatureRedis, type FeatureRedisOptions } from './redis-connection';

export interface FeatureStore {
  readonly redis: Redis;
  readonly materializer: FeatureMaterializer;
  readonly reader: FeatureReader;
  close(): Promise<void>;
}

/** The online store wired from configuration: one connection shared by writer and reader. */
export function createFeatureStore(options: {
  readonly redis: FeatureRedisOptions;
  readonly views: readonly FeatureView[];
  readonly recordsPerScript?: MaterializerOptions['recordsPerScript'];
}): FeatureStore {
  const redis = createFeatureRedis(options.redis);
  const keyPrefix = options.redis.keyPrefix ?? '';
  return {
    redis,
    materializer: new FeatureMaterializer(redis, options.views, {
      keyPrefix,
      ...(options.recordsPerScript === undefined ? {} : { recordsPerScript: options.recordsPerScript }),
    }),
    reader: new FeatureReader(redis, options.views, { keyPrefix }),
    close: async () => {
      await redis.quit();
    },
  };
}
