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
