import { readFileSync } from 'node:fs';
import { Redis, type RedisOptions } from 'ioredis';

export interface RedisConnectionOptions {
  readonly url: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly tlsCaFile?: string | undefined;
  /** Called on connection errors; ioredis reconnects by itself. */
  readonly onError?: (error: Error) => void;
}

/**
 * The only place that turns settings into an ioredis client: ACL user/password, TLS for rediss://,
 * and an error listener (an unhandled 'error' event would crash the process during an outage).
 */
export function createRedis(options: RedisConnectionOptions): Redis {
  const extra: RedisOptions = {
    maxRetriesPerRequest: 2,
    connectTimeout: 5_000,
    // Reconnect forever with a capped delay: an outage must not kill the service.
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 6), 5_000),
  };
  if (options.username) extra.username = options.username;
  if (options.password) extra.password = options.password;
  if (options.url.startsWith('rediss://')) {
    extra.tls = options.tlsCaFile ? { ca: [readFileSync(options.tlsCaFile, 'utf8')] } : {};
  }
  const redis = new Redis(options.url, extra);
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
