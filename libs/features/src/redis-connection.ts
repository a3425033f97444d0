import type { ConnectionOptions } from 'node:tls';
import { Redis } from 'ioredis';

export interface FeatureRedisOptions {
  /** redis://host:port/db or rediss:// (TLS). */
  readonly url: string;
  /** Redis 6+ ACL user; overrides the URL's. */
  readonly username?: string;
  readonly password?: string;
  /** true for TLS with the system CAs, or Node TLS options (ca, cert, key, servername…). */
  readonly tls?: boolean | ConnectionOptions;
  /**
   * Prepended to every key by the materializer and reader (not by ioredis' own keyPrefix, so the
   * keys passed to the apply script and the documented layout are the keys stored).
   */
  readonly keyPrefix?: string;
  readonly connectTimeoutMs?: number;
  /**
   * How many times ioredis retries a command across reconnects before failing it; kept low so a
   * Redis outage reaches the caller as a RetriableError instead of queueing (default 1).
   */
  readonly maxRetriesPerRequest?: number;
}

/** One ioredis client per process: commands are pipelined over one connection. */
export function createFeatureRedis(options: FeatureRedisOptions): Redis {
  const { url, username, password, tls, connectTimeoutMs = 5_000, maxRetriesPerRequest = 1 } = options;
  return new Redis(url, {
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
    ...(tls === undefined || tls === false ? {} : { tls: tls === true ? {} : tls }),
    connectTimeout: connectTimeoutMs,
    maxRetriesPerRequest,
    lazyConnect: false,
  });
}

/** For logs: the URL without credentials, whether TLS is on, the prefix. */
export function describeFeatureRedis(options: FeatureRedisOptions): string {
  const url = new URL(options.url);
  url.username = '';
  url.password = '';
  const tls = options.tls !== undefined && options.tls !== false ? true : url.protocol === 'rediss:';
  return `${url.toString()} tls=${tls} user=${options.username ?? '(default)'} prefix=${JSON.stringify(options.keyPrefix ?? '')}`;
}
