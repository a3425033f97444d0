import { loadConfig, serviceEnv, type ConfigOf } from '@streamscore/config';

/** Every setting of the inference service; the only file that reads process.env. */
export const inferenceEnv = {
  ...serviceEnv,
} as const;

export type InferenceConfig = ConfigOf<typeof inferenceEnv>;

export function loadInferenceConfig(env: NodeJS.ProcessEnv = process.env): InferenceConfig {
  return loadConfig(inferenceEnv, env, { strictPrefixes: ['STREAMSCORE_'] });
}
