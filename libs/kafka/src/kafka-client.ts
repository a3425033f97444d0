import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';

export interface KafkaConnectionOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly sasl?: {
    mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
    username: string;
    password: string;
  };
  readonly tls?: { caFile?: string } | false;
  /** Receives kafkajs' own log lines (warn and above by default). */
  readonly log?: (
    level: 'error' | 'warn' | 'info' | 'debug',
    message: string,
    extra: Record<string, unknown>,
  ) => void;
  readonly logLevel?: 'error' | 'warn' | 'info' | 'debug' | 'nothing';
}

const LEVELS = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

/** The only place that turns connection settings into a kafkajs client (SASL/SCRAM and TLS included). */
export function createKafka(options: KafkaConnectionOptions): Kafka {
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: [...options.brokers],
    logLevel: LEVELS[options.logLevel ?? 'warn'],
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 10_000 },
  };
  if (options.tls) {
    config.ssl = options.tls.caFile ? { ca: [readFileSync(options.tls.caFile, 'utf8')] } : true;
  }
  if (options.sasl) config.sasl = options.sasl as SASLOptions;
  const log = options.log;
  if (log) {
    config.logCreator =
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...extra } = entry;
        const name =
          level <= logLevel.ERROR
            ? 'error'
            : level === logLevel.WARN
              ? 'warn'
              : level === logLevel.INFO
                ? 'info'
                : 'debug';
        log(name, message, extra);
      };
  }
  return new Kafka(config);
}

/** Builds connection options from the shared service settings (libs/config serviceEnv). */
export function kafkaOptionsFromEnv(
  env: {
    KAFKA_BROKERS: string[];
    KAFKA_CLIENT_ID: string | undefined;
    KAFKA_SASL_MECHANISM: 'none' | 'plain' | 'scram-sha-256' | 'scram-sha-512';
    KAFKA_SASL_USERNAME: string | undefined;
    KAFKA_SASL_PASSWORD: string | undefined;
    KAFKA_TLS: boolean;
    KAFKA_TLS_CA_FILE: string | undefined;
  },
  service: string,
): KafkaConnectionOptions {
  const mechanism = env.KAFKA_SASL_MECHANISM;
  return {
    brokers: env.KAFKA_BROKERS,
    clientId: env.KAFKA_CLIENT_ID ?? service,
    tls: env.KAFKA_TLS ? (env.KAFKA_TLS_CA_FILE ? { caFile: env.KAFKA_TLS_CA_FILE } : {}) : false,
    ...(mechanism === 'none'
      ? {}
      : {
          sasl: {
            mechanism,
            username: env.KAFKA_SASL_USERNAME ?? '',
            password: env.KAFKA_SASL_PASSWORD ?? '',
          },
        }),
  };
}
