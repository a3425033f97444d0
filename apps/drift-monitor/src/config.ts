import { loadConfig, serviceEnv, type ConfigOf } from '@streamscore/config';

/** Every setting of the drift-monitor service; the only file that reads process.env. */
export const driftMonitorEnv = {
  ...serviceEnv,
} as const;

export type DriftMonitorConfig = ConfigOf<typeof driftMonitorEnv>;

export function loadDriftMonitorConfig(env: NodeJS.ProcessEnv = process.env): DriftMonitorConfig {
  return loadConfig(driftMonitorEnv, env, { strictPrefixes: ['STREAMSCORE_'] });
}
