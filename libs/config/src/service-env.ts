import { brokers, int, oneOf, optionalStr, port, str, url, bool } from './env-fields';

/**
 * Settings every service shares: where Kafka and Redis are, the topic namespace, HTTP and logging.
 * Each app spreads this into its own spec, so `process.env` is read once, in the app's config.ts.
 */
export const serviceEnv = {
  KAFKA_BROKERS: brokers({ description: 'host:port list of Kafka bootstrap brokers' }),
  KAFKA_CLIENT_ID: optionalStr({ description: 'Kafka client id; defaults to the service name' }),
  KAFKA_SASL_MECHANISM: oneOf(['none', 'scram-sha-256', 'scram-sha-512', 'plain'] as const, {
    default: 'none',
  }),
  KAFKA_SASL_USERNAME: optionalStr(),
  KAFKA_SASL_PASSWORD: optionalStr({ secret: true }),
  KAFKA_TLS: bool({ default: false }),
  KAFKA_TLS_CA_FILE: optionalStr({ description: 'PEM file of the CA that signed the brokers’ certificates' }),
  REDIS_URL: url({ protocols: ['redis', 'rediss'], default: 'redis://127.0.0.1:6379' }),
  REDIS_USERNAME: optionalStr(),
  REDIS_PASSWORD: optionalStr({ secret: true }),
  REDIS_TLS_CA_FILE: optionalStr(),
  REDIS_KEY_PREFIX: str({ default: 'ss:' }),
  TOPIC_PREFIX: optionalStr({ description: 'namespace prepended to every topic name' }),
  TOPIC_PARTITIONS: int({ default: 6, min: 1, max: 1024 }),
  HTTP_PORT: port({ default: 3000 }),
  HTTP_HOST: str({ default: '0.0.0.0' }),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, {
    default: 'info',
  }),
  API_KEY: optionalStr({ secret: true, description: 'required on data endpoints when set' }),
} as const;
