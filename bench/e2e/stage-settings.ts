import type { Kafka } from 'kafkajs';
import { loadDriftMonitorConfig } from '@streamscore/app-drift-monitor/src/config';
import { transportSettings as driftSettings } from '@streamscore/app-drift-monitor/src/transport-settings';
import { loadFeaturesConfig } from '@streamscore/app-features/src/config';
import { transportSettings as featuresSettings } from '@streamscore/app-features/src/transport-settings';
import { loadInferenceConfig } from '@streamscore/app-inference/src/config';
import { transportSettings as inferenceSettings } from '@streamscore/app-inference/src/transport-settings';
import { loadIngestionConfig } from '@streamscore/app-ingestion/src/config';
import { transportSettings as ingestionSettings } from '@streamscore/app-ingestion/src/transport-settings';
import { createKafka, kafkaOptionsFromEnv, type RunnerSettings } from '@streamscore/kafka';

/** The four stages of the pipeline, named as the services are. */
export const CHAIN_STAGES = ['ingestion', 'features', 'inference', 'drift-monitor'] as const;
export type ChainStage = (typeof CHAIN_STAGES)[number];

/** What a service hands its runner besides the handler and the topics. */
export type StageRunnerSettings = RunnerSettings;

/** The settings the demo gives each service (demo/run-demo.ts), the rest left at the service's defaults. */
export interface StageEnv {
  readonly KAFKA_BROKERS: string;
  readonly STREAMSCORE_PIPELINE: string;
  readonly STREAMSCORE_GROUP_ID: string;
}

export interface StageWiring {
  /** The Kafka client as the service makes it (libs/kafka createKafka from its settings). */
  readonly kafka: Kafka;
  readonly settings: StageRunnerSettings;
}

/**
 * A stage's runner settings, read through the service's own config loader (its defaults, its
 * validation) and mapped onto the runner by the service's own `transportSettings`, as its
 * app.module.ts does: nothing is copied.
 */
export function stageWiring(stage: ChainStage, env: StageEnv): StageWiring {
  const wiring = (
    config: Parameters<typeof kafkaOptionsFromEnv>[0],
    settings: RunnerSettings,
  ): StageWiring => ({
    kafka: createKafka(kafkaOptionsFromEnv(config, stage)),
    settings,
  });
  switch (stage) {
    case 'ingestion': {
      const config = loadIngestionConfig({ ...env });
      return wiring(config, ingestionSettings(config));
    }
    case 'features': {
      const config = loadFeaturesConfig({ ...env });
      return wiring(config, featuresSettings(config));
    }
    case 'inference': {
      const config = loadInferenceConfig({ ...env });
      return wiring(config, inferenceSettings(config));
    }
    case 'drift-monitor': {
      const config = loadDriftMonitorConfig({ ...env });
      return wiring(config, driftSettings(config));
    }
  }
}

/** What chain-floor.ts hands a stage process, as JSON on its command line. */
export interface StageArgs {
  readonly stage: ChainStage;
  readonly env: StageEnv;
  readonly topicPrefix: string;
  readonly partitions: number;
}

/** What a chain process tells the bench over IPC. */
export type ChainMessage =
  | { readonly kind: 'assigned' }
  | { readonly kind: 'delivered'; readonly rows: number }
  | {
      readonly kind: 'sent';
      readonly departures: number;
      readonly outcomes: number;
      readonly tailGroupId: string;
    };

/** Where inference finds its schemas (STREAMSCORE_SCHEMAS_DIR, or its default). */
export function predictionSchemasDir(env: StageEnv): string {
  return loadInferenceConfig({ ...env }).STREAMSCORE_SCHEMAS_DIR;
}
