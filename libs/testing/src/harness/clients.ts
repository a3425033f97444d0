import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { randomName } from './names';

const NOT_SET_HINT =
  'run integration tests through jest (its global setup brings the stack up) or export the addresses printed by `npm run stack:up`';

/** The one place tests read where the brokers are; jest global setup exports both variables. */
export function testAddresses(env: NodeJS.ProcessEnv = process.env): {
  kafkaBrokers: string;
  redisUrl: string;
} {
  return { kafkaBrokers: required('KAFKA_BROKERS', env), redisUrl: required('REDIS_URL', env) };
}

function required(name: 'KAFKA_BROKERS' | 'REDIS_URL', env: NodeJS.ProcessEnv): string {
  const value = env[name]?.trim();
  if (!value) throw new Error(`${name} is not set: ${NOT_SET_HINT}`);
  return value;
}

export interface TestKafkaOptions {
  readonly clientId?: string;
  /** kafkajs logs are noise in passing tests; STREAMSCORE_TEST_KAFKA_LOG=warn shows warnings. */
  readonly logLevel?: logLevel;
}

export function testKafka(options: TestKafkaOptions = {}): Kafka {
  const verbose = process.env['STREAMSCORE_TEST_KAFKA_LOG'] === 'warn';
  return new Kafka({
    clientId: options.clientId ?? randomName('test'),
    brokers: required('KAFKA_BROKERS', process.env).split(','),
    logLevel: options.logLevel ?? (verbose ? logLevel.WARN : logLevel.NOTHING),
  });
}

/** A Redis client for the test Redis; the caller quits it. */
export function testRedis(): Redis {
  return new Redis(required('REDIS_URL', process.env), { maxRetriesPerRequest: 3 });
}
