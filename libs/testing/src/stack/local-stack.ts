import { mkdirSync } from 'node:fs';
import { StackErrors } from './errors';
import { kafkaAddress, runningKafka, startKafkaBroker, stopKafkaBroker } from './kafka-broker';
import { resolveStackOptions, stackFiles, type StackOptions, type StackOptionsInput } from './options';
import { kafkaAnswers, pollUntil, redisAnswers } from './readiness';
import {
  redisAddress,
  redisTlsAddress,
  runningRedis,
  startRedisServer,
  stopRedisServer,
} from './redis-server';
import { tlsMaterial } from './tls-material';
import { withUpLock } from './up-lock';
import { dropLease, otherLeaseHolders, takeLease } from './leases';

/**
 * started: this call started it; ours: a previous `up` started it (pid file in the data dir);
 * reused: someone else's, found answering (given address or the default port).
 */
export type Ownership = 'started' | 'ours' | 'reused';

export interface ComponentState {
  readonly address: string;
  readonly ownership: Ownership;
}

/** Where the TLS listeners asked for in the options are, and the CA that signed them. */
export interface SecureEndpoints {
  /** PEM of the test CA (KAFKA_TLS_CA_FILE, REDIS_TLS_CA_FILE). */
  readonly caFile: string;
  /** host:port of the SASL_SSL listener, when `kafkaSaslSsl` was given. */
  readonly kafkaSaslSslBrokers: string | undefined;
  /** rediss:// URL of the TLS port, when `redisTls` was given. */
  readonly redisTlsUrl: string | undefined;
}

/** What tests and the CLI get back: addresses, and control over what is ours. */
export interface StackHandle {
  readonly kafkaBrokers: string;
  readonly redisUrl: string;
  /** Undefined unless the options asked for TLS listeners. */
  readonly secure?: SecureEndpoints | undefined;
  readonly kafka: ComponentState;
  readonly redis: ComponentState;
  /** Stops what this call started (nothing reused, nothing a previous `up` started). */
  stop(): Promise<void>;
  /** Stop / start our broker or Redis (chaos tests); throws NOT_OURS for reused ones. */
  stopKafka(): Promise<void>;
  startKafka(): Promise<void>;
  stopRedis(): Promise<void>;
  startRedis(): Promise<void>;
}

/** The local stack: reuse what answers, else start a real broker and redis-server. */
export async function startStack(input: StackOptionsInput = {}): Promise<StackHandle> {
  const options = resolveStackOptions(input);
  mkdirSync(options.dataDir, { recursive: true });
  return withUpLock(
    stackFiles(options.dataDir).upLock,
    options.readyTimeoutMs + 60_000,
    options.log,
    async () => {
      const redis = await ensureRedis(options);
      try {
        const kafka = await ensureKafka(options);
        if (input.lease) takeLease(stackFiles(options.dataDir).leases);
        return localHandle(options, kafka, redis);
      } catch (error) {
        // All or nothing: a failed `up` leaves no Redis of ours behind.
        if (redis.ownership === 'started') await stopRedisServer(options);
        throw error;
      }
    },
  );
}

async function ensureKafka(options: StackOptions): Promise<ComponentState> {
  const given = options.givenKafkaBrokers;
  if (given) {
    if (await kafkaAnswers(given)) return { address: given, ownership: 'reused' };
    options.log(`KAFKA_BROKERS=${given} does not answer; using a local broker`);
  }
  const address = kafkaAddress(options);
  if (runningKafka(options) !== undefined) {
    // Ours is running, possibly still starting (another `up` in flight): wait for it.
    const outcome = await pollUntil(() => kafkaAnswers(address), {
      timeoutMs: options.readyTimeoutMs,
      what: `Kafka on ${address}`,
      log: options.log,
    });
    if (!outcome.ready)
      throw StackErrors.kafkaNotReady(
        address,
        Math.round(options.readyTimeoutMs / 1000),
        stackFiles(options.dataDir).kafkaLog,
      );
    return { address, ownership: 'ours' };
  }
  if (await kafkaAnswers(address)) return { address, ownership: 'reused' };
  await startKafkaBroker(options);
  return { address, ownership: 'started' };
}

async function ensureRedis(options: StackOptions): Promise<ComponentState> {
  const given = options.givenRedisUrl;
  if (given) {
    if (await redisAnswers(given)) return { address: given, ownership: 'reused' };
    options.log(`REDIS_URL=${given} does not answer PING; using a local Redis`);
  }
  const url = redisAddress(options);
  if (runningRedis(options) !== undefined && (await redisAnswers(url)))
    return { address: url, ownership: 'ours' };
  if (await redisAnswers(url)) return { address: url, ownership: 'reused' };
  await startRedisServer(options);
  return { address: url, ownership: 'started' };
}

function localHandle(options: StackOptions, kafka: ComponentState, redis: ComponentState): StackHandle {
  const ownKafka = () => {
    if (kafka.ownership === 'reused') throw StackErrors.notOurs(`Kafka at ${kafka.address}`);
  };
  const ownRedis = () => {
    if (redis.ownership === 'reused') throw StackErrors.notOurs(`Redis at ${redis.address}`);
  };
  const secure =
    options.kafkaSaslSsl || options.redisTls
      ? {
          caFile: tlsMaterial(stackFiles(options.dataDir).tlsDir).caFile,
          kafkaSaslSslBrokers: options.kafkaSaslSsl && `127.0.0.1:${options.kafkaSaslSsl.port}`,
          redisTlsUrl: options.redisTls && redisTlsAddress(options.redisTls),
        }
      : undefined;
  return {
    kafkaBrokers: kafka.address,
    redisUrl: redis.address,
    secure,
    kafka,
    redis,
    async stop() {
      const files = stackFiles(options.dataDir);
      await withUpLock(files.upLock, options.readyTimeoutMs + 60_000, options.log, async () => {
        dropLease(files.leases);
        const others = otherLeaseHolders(files.leases);
        if (others.length > 0) {
          options.log(`leaving the stack running: still used by pid ${others.join(', ')}`);
          return;
        }
        if (kafka.ownership === 'started') await stopKafkaBroker(options);
        if (redis.ownership === 'started') await stopRedisServer(options);
      });
    },
    async stopKafka() {
      ownKafka();
      await stopKafkaBroker(options);
    },
    async startKafka() {
      ownKafka();
      if (runningKafka(options) === undefined) await startKafkaBroker(options);
    },
    async stopRedis() {
      ownRedis();
      await stopRedisServer(options);
    },
    async startRedis() {
      ownRedis();
      if (runningRedis(options) === undefined) await startRedisServer(options);
    },
  };
}

export interface StopReport {
  readonly kafka: boolean;
  readonly redis: boolean;
}

/** `down`: stops what a previous `up` started in this data dir (pid files), and nothing else. */
export async function stopStack(input: StackOptionsInput = {}): Promise<StopReport> {
  const options = resolveStackOptions(input);
  const kafka = await stopKafkaBroker(options);
  const redis = await stopRedisServer(options);
  return { kafka, redis };
}

export type ComponentStatus =
  | { readonly state: 'ours'; readonly address: string; readonly pid: number; readonly answering: boolean }
  | { readonly state: 'reused'; readonly address: string }
  | { readonly state: 'down'; readonly address: string };

export interface StackStatus {
  readonly dataDir: string;
  readonly kafka: ComponentStatus;
  readonly redis: ComponentStatus;
}

export async function stackStatus(input: StackOptionsInput = {}): Promise<StackStatus> {
  const options = resolveStackOptions(input);
  const kafka = await componentStatus(
    runningKafka(options),
    options.givenKafkaBrokers,
    kafkaAddress(options),
    kafkaAnswers,
  );
  const redis = await componentStatus(
    runningRedis(options),
    options.givenRedisUrl,
    redisAddress(options),
    redisAnswers,
  );
  return { dataDir: options.dataDir, kafka, redis };
}

async function componentStatus(
  pid: number | undefined,
  given: string | undefined,
  local: string,
  answers: (address: string) => Promise<boolean>,
): Promise<ComponentStatus> {
  if (given && given !== local && (await answers(given))) return { state: 'reused', address: given };
  if (pid !== undefined) return { state: 'ours', address: local, pid, answering: await answers(local) };
  if (await answers(local)) return { state: 'reused', address: local };
  return { state: 'down', address: local };
}
