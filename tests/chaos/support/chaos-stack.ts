import { rmSync } from 'node:fs';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import {
  awaitGroupCommitted,
  privateStackOptions,
  startServiceProcess,
  startStack,
  type ServiceName,
  type ServiceProcess,
  type StackHandle,
  type StackOptionsInput,
} from '@streamscore/testing';
import { takeChaosTurn } from './serial-lock';

/** A private broker and redis-server (free ports, own data dir) plus the services a scenario runs. */
export interface ChaosStack {
  readonly stack: StackHandle;
  readonly kafka: Kafka;
  readonly admin: Admin;
  /** Starts a built service against this stack; it is killed at teardown if still running. */
  start(name: ServiceName, env: Record<string, string>): Promise<ServiceProcess>;
  teardown(): Promise<void>;
}

export async function startChaosStack(extra: Partial<StackOptionsInput> = {}): Promise<ChaosStack> {
  const release = await takeChaosTurn();
  const options = await privateStackOptions(extra);
  let stack: StackHandle;
  try {
    stack = await startStack(options);
  } catch (error) {
    release();
    throw error;
  }
  // Retries long enough to ride out a broker restart in the scenario that does one.
  const kafka = new Kafka({
    clientId: 'chaos-test',
    brokers: [stack.kafkaBrokers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 5_000 },
  });
  const admin = kafka.admin();
  await admin.connect();
  const services: ServiceProcess[] = [];
  return {
    stack,
    kafka,
    admin,
    async start(name, env) {
      const service = await startServiceProcess(
        name,
        { KAFKA_BROKERS: stack.kafkaBrokers, ...env },
        {
          timeoutMs: 60_000,
        },
      );
      services.push(service);
      return service;
    },
    async teardown() {
      try {
        await Promise.all(services.map((s) => s.stop('SIGKILL')));
        await admin.disconnect().catch(() => undefined);
        await stack.stop();
        rmSync(options.dataDir ?? '', { recursive: true, force: true });
      } finally {
        release();
      }
    },
  };
}

/** Resolves once `groupId` committed all of `topic` (libs/testing awaitGroupCommitted, own admin). */
export async function awaitInputCommitted(
  kafka: Kafka,
  groupId: string,
  topic: string,
  timeoutMs: number,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await awaitGroupCommitted(admin, groupId, topic, { timeoutMs });
  } finally {
    await admin.disconnect();
  }
}

/**
 * How long a broker restart keeps the broker down: longer than the 6 s session timeout the
 * ingestion, features and inference runs set, so their groups must rejoin.
 */
export const BROKER_DOWN_MS = 8_000;

/**
 * Stops the private broker (SIGTERM), keeps it down `downMs` and starts it again; `whileDown` runs
 * right after the stop (e.g. a readiness probe). Resolves with how long the broker was away,
 * shutdown and start-up included, and what `whileDown` returned.
 */
export async function restartBroker<T = undefined>(
  chaos: ChaosStack,
  downMs: number,
  whileDown?: () => Promise<T>,
): Promise<{ downSeconds: number; during: T | undefined }> {
  const stopAt = Date.now();
  await chaos.stack.stopKafka();
  const during = await whileDown?.();
  await new Promise((r) => setTimeout(r, downMs));
  await chaos.stack.startKafka();
  return { downSeconds: (Date.now() - stopAt) / 1000, during };
}

/** Lines of the services' output (LOG_LEVEL warn: warnings and errors) that contain `text`. */
export function linesWith(services: readonly ServiceProcess[], text: string): number {
  return services.reduce(
    (n, s) =>
      n +
      s
        .output()
        .split('\n')
        .filter((l) => l.includes(text)).length,
    0,
  );
}

/** What the transport logged over a fault (its warnings and errors), for the accounting line. */
export function transportEvents(services: readonly ServiceProcess[]): Record<string, number> {
  return {
    consumerCrashes: linesWith(services, 'consumer crashed'),
    retried: linesWith(services, 'partition paused while retrying'),
    givenUp: linesWith(services, 'given up: the group is rebalancing'),
    fenced: linesWith(services, 'abandoned: partition moved to another member'),
  };
}
