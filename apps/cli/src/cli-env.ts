import { resolve } from 'node:path';
import { brokers, int, loadConfig, oneOf, optionalStr, bool, str } from '@streamscore/config';
import { loadPipelineConfig, type PipelineConfig } from '@streamscore/platform';
import { createKafka, kafkaOptionsFromEnv } from '@streamscore/kafka';
import { TopicCatalogue } from '@streamscore/contracts';
import type { Kafka } from 'kafkajs';

/** The CLI reads the same connection variables as the services. */
const cliEnv = {
  KAFKA_BROKERS: brokers({ default: ['127.0.0.1:9092'] }),
  KAFKA_CLIENT_ID: optionalStr(),
  KAFKA_SASL_MECHANISM: oneOf(['none', 'scram-sha-256', 'scram-sha-512', 'plain'] as const, {
    default: 'none',
  }),
  KAFKA_SASL_USERNAME: optionalStr(),
  KAFKA_SASL_PASSWORD: optionalStr({ secret: true }),
  KAFKA_TLS: bool({ default: false }),
  KAFKA_TLS_CA_FILE: optionalStr(),
  TOPIC_PREFIX: optionalStr(),
  TOPIC_PARTITIONS: int({ default: 6, min: 1, max: 1024 }),
  STREAMSCORE_PIPELINE: optionalStr({ description: 'pipeline file used when --pipeline is not given' }),
  STREAMSCORE_MAX_MESSAGE_BYTES: int({
    default: 1_048_576,
    min: 64,
    max: 64 * 1_048_576,
    description: 'largest payload `produce` sends: the ingestion gate dead-letters larger ones',
  }),
  STREAMSCORE_SCHEMAS_DIR: str({
    default: resolve(process.cwd(), 'schemas'),
    description: 'the platform schemas directory (prediction, drift-report, …)',
  }),
} as const;

export interface CliContext {
  readonly kafka: Kafka;
  readonly topics: TopicCatalogue;
  /** TOPIC_PREFIX, which names every topic of the catalogue; for messages. */
  readonly topicPrefix: string | undefined;
  readonly schemasDir: string;
  /** STREAMSCORE_MAX_MESSAGE_BYTES, as the ingestion gate reads it. */
  readonly maxMessageBytes: number;
  /** STREAMSCORE_PIPELINE, for commands where a pipeline file is optional. */
  readonly pipelineFile: string | undefined;
  /** The pipeline file: `--pipeline`, else STREAMSCORE_PIPELINE; throws when neither is set. */
  pipeline(option?: string): PipelineConfig;
}

export function cliContext(env: NodeJS.ProcessEnv = process.env): CliContext {
  const config = loadConfig(cliEnv, env);
  return {
    kafka: createKafka({ ...kafkaOptionsFromEnv(config, 'streamscore-cli'), logLevel: 'nothing' }),
    topics: new TopicCatalogue({
      ...(config.TOPIC_PREFIX ? { prefix: config.TOPIC_PREFIX } : {}),
      partitions: config.TOPIC_PARTITIONS,
    }),
    topicPrefix: config.TOPIC_PREFIX,
    schemasDir: config.STREAMSCORE_SCHEMAS_DIR,
    maxMessageBytes: config.STREAMSCORE_MAX_MESSAGE_BYTES,
    pipelineFile: config.STREAMSCORE_PIPELINE,
    pipeline(option) {
      const file = option ?? config.STREAMSCORE_PIPELINE;
      if (file === undefined)
        throw new Error('no pipeline file: pass --pipeline FILE or set STREAMSCORE_PIPELINE');
      return loadPipelineConfig(file);
    },
  };
}
