import { readFileSync } from 'node:fs';
import { Redis, type RedisOptions } from 'ioredis';

export interface RedisConnectionOptions {
  /** redis://host:port/db, or rediss:// for TLS. */
  readonly url: string;
  /** Redis 6+ ACL user; overrides the URL's. */
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  /** PEM CA trusted for rediss:// (system CAs when absent). */
  readonly tlsCaFile?: string | undefined;
  /** Default 5_000. */
  readonly connectTimeoutMs?: number | undefined;
  /**
   * How many times ioredis retries a command across reconnects before failing it; kept low so an
   * outage reaches the caller as an error (a RetriableError in libs/features) instead of queueing.
   * Default 2.
   */
  readonly maxRetriesPerRequest?: number | undefined;
  /** Called on connection errors; ioredis reconnects by itself. */
  readonly onError?: (error: Error) => void;
}

/** Reconnect forever with a capped exponential delay, ms: an outage must not kill the service. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(100 * 2 ** Math.min(attempt, 6), 5_000);
}

/** The ioredis options for these settings (reads the CA file, if any). */
export function redisOptions(options: RedisConnectionOptions): RedisOptions {
  const { username, password, tlsCaFile, connectTimeoutMs = 5_000, maxRetriesPerRequest = 2 } = options;
  return {
    maxRetriesPerRequest,
    connectTimeout: connectTimeoutMs,
    retryStrategy: reconnectDelayMs,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(options.url.startsWith('rediss://')
      ? { tls: tlsCaFile ? { ca: [readFileSync(tlsCaFile, 'utf8')] } : {} }
      : {}),
  };
}

/**
 * The only place that turns settings into an ioredis client (services, integration tests and
 * benchmarks): ACL user/password, TLS for rediss://, and an error listener (an unhandled 'error'
 * event would crash the process during an outage).
 */
export function createRedis(options: RedisConnectionOptions): Redis {
  const redis = new Redis(options.url, redisOptions(options));
  redis.on('error', (error: Error) => {
    lastErrors.set(redis, error);
    options.onError?.(error);
  });
  redis.on('ready', () => lastErrors.delete(redis));
  return redis;
}

/** The latest connection error of each client, so readiness can say why (e.g. WRONGPASS), not only that. */
const lastErrors = new WeakMap<Redis, Error>();

export function redisReadinessCheck(redis: Redis): { name: string; check(): Promise<void> } {
  return {
    name: 'redis',
    async check() {
      if (redis.status !== 'ready') {
        const cause = lastErrors.get(redis);
        throw new Error(`redis connection is ${redis.status}${cause ? `: ${cause.message}` : ''}`);
      }
      await redis.ping();
    },
  };
}
