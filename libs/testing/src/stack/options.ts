import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { StackErrors } from './errors';

/** Kafka 3.9.1: the newest line whose transactions kafkajs 2.2.4 handles (platform-notes). */
export const KAFKA_VERSION = '3.9.1';

/** Repository root, for tools/stack/pom.xml (this file is libs/testing/src/stack/options.ts). */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');

export interface StackOptions {
  readonly kafkaPort: number;
  /** KRaft controller listener; a single node is its own quorum. */
  readonly controllerPort: number;
  readonly redisPort: number;
  /** Holds server.properties, the Kafka log dirs, pid and log files of what we start. */
  readonly dataDir: string;
  /** Where the Kafka jars are cached: `<cacheDir>/kafka-<version>/libs`. */
  readonly cacheDir: string;
  readonly pomFile: string;
  /** Addresses handed to us (KAFKA_BROKERS / REDIS_URL); reused when they answer. */
  readonly givenKafkaBrokers: string | undefined;
  readonly givenRedisUrl: string | undefined;
  /** Deadline for the broker to answer describeCluster after start. */
  readonly readyTimeoutMs: number;
  /** Progress lines (downloading, waiting); the CLI prints them, tests may drop them. */
  readonly log: (line: string) => void;
  /** An extra SASL_SSL (SCRAM-SHA-256 over TLS) listener beside PLAINTEXT, when asked for. */
  readonly kafkaSaslSsl: SecureListener | undefined;
  /** An extra TLS port on redis-server beside the plain one, with an ACL user, when asked for. */
  readonly redisTls: SecureListener | undefined;
}

/**
 * A listener that needs TLS and a password: its port and the one user it knows. The server
 * certificate is signed by a CA made in `<dataDir>/tls` (see tls-material.ts).
 */
export interface SecureListener {
  readonly port: number;
  readonly username: string;
  readonly password: string;
}

export interface StackOptionsInput {
  readonly kafkaPort?: number;
  readonly controllerPort?: number;
  readonly redisPort?: number;
  readonly dataDir?: string;
  /** false: ignore KAFKA_BROKERS / REDIS_URL (a private stack for chaos tests). Default true. */
  readonly reuseGiven?: boolean;
  readonly readyTimeoutMs?: number;
  readonly log?: (line: string) => void;
  /**
   * Hold a lease while the handle lives (jest runs): `stop()` then leaves the stack running
   * while another lease holder still uses it. Default false.
   */
  readonly lease?: boolean;
  /** Security tests: add a SASL_SSL listener to our broker (the PLAINTEXT one stays). */
  readonly kafkaSaslSsl?: SecureListener;
  /** Security tests: add a TLS port with an ACL user to our redis-server (the plain port stays). */
  readonly redisTls?: SecureListener;
}

export const STACK_DEFAULTS = {
  kafkaPort: 9092,
  redisPort: 6379,
  readyTimeoutMs: 120_000,
} as const;

/** The one place the stack reads the environment. */
export function resolveStackOptions(
  input: StackOptionsInput = {},
  env: NodeJS.ProcessEnv = process.env,
): StackOptions {
  const kafkaPort = checkPort('kafka', input.kafkaPort ?? STACK_DEFAULTS.kafkaPort);
  const controllerPort = checkPort('controller', input.controllerPort ?? kafkaPort + 1);
  const redisPort = checkPort('redis', input.redisPort ?? STACK_DEFAULTS.redisPort);
  if (controllerPort === kafkaPort)
    throw StackErrors.badOption('--controller-port must differ from --kafka-port');
  const cacheDir = env['STREAMSCORE_CACHE_DIR'] ?? join(homedir(), '.cache', 'streamscore');
  const stackRoot = env['STREAMSCORE_STACK_DIR'];
  const dataDir = resolve(
    input.dataDir ??
      (stackRoot ? join(stackRoot, String(kafkaPort)) : join(cacheDir, 'stack', String(kafkaPort))),
  );
  const reuseGiven = input.reuseGiven ?? true;
  const timeoutFromEnv = env['STREAMSCORE_STACK_TIMEOUT_MS'];
  const readyTimeoutMs =
    input.readyTimeoutMs ?? (timeoutFromEnv ? Number(timeoutFromEnv) : STACK_DEFAULTS.readyTimeoutMs);
  if (!Number.isFinite(readyTimeoutMs) || readyTimeoutMs <= 0) {
    throw StackErrors.badOption(
      `STREAMSCORE_STACK_TIMEOUT_MS must be a positive number of milliseconds, got ${String(timeoutFromEnv)}`,
    );
  }
  return {
    kafkaPort,
    controllerPort,
    redisPort,
    dataDir,
    cacheDir,
    pomFile: join(REPO_ROOT, 'tools', 'stack', 'pom.xml'),
    givenKafkaBrokers: reuseGiven ? nonEmpty(env['KAFKA_BROKERS']) : undefined,
    givenRedisUrl: reuseGiven ? nonEmpty(env['REDIS_URL']) : undefined,
    readyTimeoutMs,
    log: input.log ?? (() => undefined),
    kafkaSaslSsl: input.kafkaSaslSsl && checkListener('kafka-sasl-ssl', input.kafkaSaslSsl),
    redisTls: input.redisTls && checkListener('redis-tls', input.redisTls),
  };
}

export function kafkaLibsDir(options: Pick<StackOptions, 'cacheDir'>): string {
  return join(options.cacheDir, `kafka-${KAFKA_VERSION}`, 'libs');
}

/** Files we own inside the data dir. */
export function stackFiles(dataDir: string) {
  return {
    serverProperties: join(dataDir, 'server.properties'),
    clusterId: join(dataDir, 'cluster-id'),
    kafkaLogDirs: join(dataDir, 'kafka-data'),
    kafkaPid: join(dataDir, 'kafka.pid'),
    kafkaLog: join(dataDir, 'kafka.log'),
    redisPid: join(dataDir, 'redis.pid'),
    redisLog: join(dataDir, 'redis.log'),
    redisDir: join(dataDir, 'redis'),
    upLock: join(dataDir, 'up.lock'),
    leases: join(dataDir, 'leases'),
    tlsDir: join(dataDir, 'tls'),
  } as const;
}

export type StackFiles = ReturnType<typeof stackFiles>;

function checkPort(name: string, port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw StackErrors.badOption(`--${name}-port must be an integer in 1..65535, got ${port}`);
  }
  return port;
}

function checkListener(name: string, listener: SecureListener): SecureListener {
  checkPort(name, listener.port);
  // Both end up in a command line or a properties value: keep them to characters needing no quoting.
  for (const [what, value] of [
    ['username', listener.username],
    ['password', listener.password],
  ] as const) {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(value))
      throw StackErrors.badOption(`${name} ${what} must be 1-64 characters of [A-Za-z0-9_.-]`);
  }
  return listener;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== '' ? value.trim() : undefined;
}
