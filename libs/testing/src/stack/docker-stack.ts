import { GenericContainer, Wait, getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import type { ContainerRuntimeClient } from 'testcontainers';
import { newClusterId } from './server-properties';
import type { StackHandle } from './local-stack';
import { freePort } from './ports';
import { kafkaAnswers, pollUntil, redisAnswers } from './readiness';
import { randomBytes } from 'node:crypto';

const KAFKA_IMAGE = 'apache/kafka:3.9.1';
const REDIS_IMAGE = 'redis:7';
const START_TIMEOUT_MS = 120_000;

/**
 * The same stack in containers (testcontainers GenericContainer; its Kafka module targets
 * Confluent's image). Host ports are fixed before start so the broker can advertise its real
 * address and a stopped container comes back on the same port.
 */
export async function startDockerStack(log: (line: string) => void): Promise<StackHandle> {
  const client = await getContainerRuntimeClient();
  const host = client.info.containerRuntime.host;
  const kafkaPort = await freePort();
  const redisPort = await freePort();
  log(`starting ${KAFKA_IMAGE} and ${REDIS_IMAGE} with testcontainers`);
  const [kafka, redis] = await Promise.all([
    kafkaContainer(host, kafkaPort).start(),
    new GenericContainer(REDIS_IMAGE)
      .withExposedPorts({ container: 6379, host: redisPort })
      .withCommand(['redis-server', '--save', '', '--appendonly', 'no'])
      .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'))
      .start(),
  ]);
  const kafkaBrokers = `${host}:${kafkaPort}`;
  const redisUrl = `redis://${host}:${redisPort}`;
  const restart = async (container: StartedTestContainer, what: string, ready: () => Promise<boolean>) => {
    await client.container.start(client.container.getById(container.getId()));
    const outcome = await pollUntil(ready, { timeoutMs: START_TIMEOUT_MS, what, log });
    if (!outcome.ready) throw new Error(`${what} did not come back within ${START_TIMEOUT_MS / 1000} s`);
  };
  return {
    kafkaBrokers,
    redisUrl,
    kafka: { address: kafkaBrokers, ownership: 'started' },
    redis: { address: redisUrl, ownership: 'started' },
    async stop() {
      await Promise.all([kafka.stop(), redis.stop()]);
    },
    stopKafka: () => stopContainer(client, kafka),
    startKafka: () => restart(kafka, `Kafka on ${kafkaBrokers}`, () => kafkaAnswers(kafkaBrokers)),
    stopRedis: () => stopContainer(client, redis),
    startRedis: () => restart(redis, `Redis on ${redisUrl}`, () => redisAnswers(redisUrl)),
  };
}

function kafkaContainer(host: string, port: number): GenericContainer {
  // The apache/kafka image maps KAFKA_* variables to server.properties keys (dots → underscores).
  return new GenericContainer(KAFKA_IMAGE)
    .withExposedPorts({ container: port, host: port })
    .withEnvironment({
      CLUSTER_ID: newClusterId(randomBytes),
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${port},CONTROLLER://0.0.0.0:9093`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${host}:${port}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
      KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .withWaitStrategy(
      Wait.forSuccessfulCommand(
        `/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:${port}`,
      ),
    )
    .withStartupTimeout(START_TIMEOUT_MS);
}

async function stopContainer(client: ContainerRuntimeClient, container: StartedTestContainer): Promise<void> {
  // Stop without removing, so startKafka/startRedis bring back the same container and data.
  await client.container.stop(client.container.getById(container.getId()), { timeout: 10 });
}
