import { loadConfig, serviceEnv, type ConfigOf } from '@streamscore/config';

/** Every setting of the ingestion service; the only file that reads process.env. */
export const ingestionEnv = {
  ...serviceEnv,
} as const;

export type IngestionConfig = ConfigOf<typeof ingestionEnv>;

export function loadIngestionConfig(env: NodeJS.ProcessEnv = process.env): IngestionConfig {
  return loadConfig(ingestionEnv, env, { strictPrefixes: ['STREAMSCORE_'] });
}
