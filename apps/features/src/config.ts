import { loadConfig, serviceEnv, type ConfigOf } from '@streamscore/config';

/** Every setting of the features service; the only file that reads process.env. */
export const featuresEnv = {
  ...serviceEnv,
} as const;

export type FeaturesConfig = ConfigOf<typeof featuresEnv>;

export function loadFeaturesConfig(env: NodeJS.ProcessEnv = process.env): FeaturesConfig {
  return loadConfig(featuresEnv, env, { strictPrefixes: ['STREAMSCORE_'] });
}
