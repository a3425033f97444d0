import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { sleep } from './processes';

/** True when something accepts TCP connections on host:port. */
export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolveOpen) => {
    const socket = createConnection({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolveOpen(open);
    };
    socket.setTimeout(timeoutMs, () => {
      done(false);
    });
    socket.once('connect', () => {
      done(true);
    });
    socket.once('error', () => {
      done(false);
    });
  });
}

export function splitBrokers(brokers: string): string[] {
  return brokers
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
}

function quietKafka(brokers: string, timeoutMs: number): Kafka {
  return new Kafka({
    clientId: 'streamscore-stack',
    brokers: splitBrokers(brokers),
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(timeoutMs, 3_000),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  });
}

/** One describeCluster: the broker answers metadata requests (more than an open port). */
export async function kafkaAnswers(brokers: string, timeoutMs = 3_000): Promise<boolean> {
  const admin = quietKafka(brokers, timeoutMs).admin();
  try {
    await withTimeout(
      (async () => {
        await admin.connect();
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length === 0) throw new Error('no brokers');
      })(),
      timeoutMs,
    );
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Begins and aborts one transaction: proves the transaction coordinator is up (its
 * __transaction_state topic created and led), which describeCluster alone does not.
 */
export async function transactionsWork(brokers: string, timeoutMs: number): Promise<boolean> {
  const kafka = new Kafka({
    clientId: 'streamscore-stack',
    brokers: splitBrokers(brokers),
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 2_000 },
  });
  const producer = kafka.producer({
    transactionalId: 'streamscore-stack-ready-probe',
    idempotent: true,
    maxInFlightRequests: 1,
  });
  try {
    await withTimeout(
      (async () => {
        await producer.connect();
        const transaction = await producer.transaction();
        await transaction.abort();
      })(),
      timeoutMs,
    );
    return true;
  } catch {
    return false;
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly what: string;
  readonly log: (line: string) => void;
  /** Resolves if the process we wait for dies: stop waiting at once. */
  readonly exited?: Promise<number | null>;
  readonly progressEveryMs?: number;
}

export type WaitOutcome = { ready: true } | { ready: false; exitCode?: number | null };

/** Polls `check` until it is true, the deadline passes, or the watched process exits. */
export async function pollUntil(check: () => Promise<boolean>, options: WaitOptions): Promise<WaitOutcome> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const progressEveryMs = options.progressEveryMs ?? 5_000;
  let lastProgress = started;
  let exit: { code: number | null } | undefined;
  void options.exited?.then((code) => {
    exit = { code };
  });
  while (Date.now() < deadline) {
    if (await check()) return { ready: true };
    if (exit) return { ready: false, exitCode: exit.code };
    if (Date.now() - lastProgress >= progressEveryMs) {
      lastProgress = Date.now();
      options.log(`  waiting for ${options.what}… ${Math.round((lastProgress - started) / 1000)} s`);
    }
    await sleep(500);
  }
  return { ready: false };
}

/** PING through ioredis (handles redis:// and rediss:// URLs with credentials). */
export async function redisAnswers(url: string, timeoutMs = 2_000): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await withTimeout(client.connect(), timeoutMs);
    await withTimeout(client.ping(), timeoutMs);
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** PING over TLS as an ACL user, trusting only the given CA (the stack's TLS port). */
export async function redisAnswersOverTls(
  url: string,
  user: { readonly username: string; readonly password: string },
  caFile: string,
  timeoutMs = 2_000,
): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    username: user.username,
    password: user.password,
    tls: { ca: [readFileSync(caFile, 'utf8')] },
  });
  client.on('error', () => undefined);
  try {
    await withTimeout(client.connect(), timeoutMs);
    await withTimeout(client.ping(), timeoutMs);
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
