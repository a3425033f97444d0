import { Worker } from 'node:worker_threads';
import { workerEntry } from '@streamscore/platform';
import { RetriableError } from '@streamscore/contracts';
import type { FeatureCacheStats, FeatureQuery, FeatureReading, ReadOptions } from '@streamscore/features';
import type { FeatureSource } from '../feature-fetch';
import {
  type FeatureThreadReply,
  type FeatureThreadRequest,
  type FeatureThreadSettings,
  packQueries,
  transferablesOf,
} from './feature-thread-protocol';

interface Pending {
  resolve(readings: FeatureReading[]): void;
  reject(error: Error): void;
}

const RESPAWN_DELAY_MS = 1_000;

/** The reply is late past the read's own deadline by more than this: the thread is stuck. */
const DEADLINE_SLACK_MS = 5_000;

/**
 * A FeatureSource that reads in a worker thread (feature-thread-worker.ts), each read one message
 * there and back. Errors keep their meaning and code across the thread: a Redis failure
 * (UNAVAILABLE) or a missed deadline (DEADLINE) is a RetriableError, anything else a plain Error.
 * A thread that dies fails its reads with a RetriableError and is replaced. The one error rule:
 * bad data is never thrown: it becomes a dead-letter output with its code. A retriable error is
 * retried with backoff until it succeeds or the service stops. Any other thrown error is a bug: the
 * service stops loudly, offsets uncommitted.
 */
export class FeatureReaderThread implements FeatureSource {
  private worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  /** False from a thread's exit until its replacement is started. */
  private alive = true;
  private stats: FeatureCacheStats = { hits: 0, misses: 0, slabs: 0 };

  constructor(
    private readonly settings: FeatureThreadSettings,
    private readonly log: (message: string) => void,
  ) {
    this.worker = this.spawn();
  }

  /** The cache counters as of the latest read (the cache lives in the thread). */
  cacheStats(): FeatureCacheStats {
    return this.stats;
  }

  readBatch(queries: readonly FeatureQuery[], options: ReadOptions): Promise<FeatureReading[]> {
    if (this.closed) return Promise.reject(new RetriableError('feature thread is closed'));
    if (!this.alive) return Promise.reject(new RetriableError('feature thread is restarting'));
    if (queries.length === 0) return Promise.resolve([]);
    const id = this.nextId++;
    return new Promise<FeatureReading[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settle(id)?.reject(
          new RetriableError(
            `feature thread gave no answer within ${options.deadlineMs + DEADLINE_SLACK_MS} ms`,
            { code: 'DEADLINE' },
          ),
        );
      }, options.deadlineMs + DEADLINE_SLACK_MS);
      this.pending.set(id, {
        resolve: (readings) => {
          clearTimeout(timer);
          resolve(readings);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      const packed = packQueries(queries);
      const request: FeatureThreadRequest = { id, queries: packed, deadlineMs: options.deadlineMs };
      this.worker.postMessage(request, transferablesOf(packed));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const id of [...this.pending.keys()])
      this.settle(id)?.reject(new RetriableError('feature thread is closing'));
    await this.worker.terminate();
  }

  private settle(id: number): Pending | undefined {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    return pending;
  }

  private spawn(): Worker {
    const { file, execArgv } = workerEntry(__dirname, 'feature-thread-worker');
    const worker = new Worker(file, { workerData: this.settings, execArgv });
    worker.on('message', (reply: FeatureThreadReply) => {
      if ('log' in reply) {
        this.log(reply.log);
        return;
      }
      const pending = this.settle(reply.id);
      if (!pending) return;
      if (reply.ok) {
        this.stats = reply.stats;
        pending.resolve(reply.readings);
      } else if (reply.retryCode !== null)
        pending.reject(new RetriableError(reply.message, { code: reply.retryCode }));
      else pending.reject(new Error(reply.message));
    });
    worker.on('error', (error) => {
      this.log(`feature thread failed: ${error.message}`);
    });
    worker.on('exit', (code) => {
      if (this.closed) return;
      this.log(`feature thread exited with ${code}; starting a new one in ${RESPAWN_DELAY_MS} ms`);
      this.alive = false;
      for (const id of [...this.pending.keys()])
        this.settle(id)?.reject(new RetriableError(`feature thread exited with ${code}`));
      // Not at once: a thread that cannot start would otherwise be restarted in a tight loop.
      setTimeout(() => {
        if (this.closed) return;
        this.worker = this.spawn();
        this.alive = true;
      }, RESPAWN_DELAY_MS).unref();
    });
    return worker;
  }
}
