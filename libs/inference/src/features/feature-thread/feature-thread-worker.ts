import { parentPort, workerData } from 'node:worker_threads';
import { isRetriable, RetriableError, type RetryCode } from '@streamscore/contracts';
import { FeatureReader } from '@streamscore/features';
import { createRedis } from '@streamscore/platform';
import {
  type FeatureThreadReply,
  type FeatureThreadRequest,
  type FeatureThreadSettings,
  unpackQueries,
} from './feature-thread-protocol';

/**
 * The feature thread: plans, reads and merges feature windows for the main thread, with its own
 * Redis connection and final-bucket cache, so that work (a quarter of the service's JavaScript)
 * runs beside kafkajs instead of on its event loop.
 */
const settings = workerData as FeatureThreadSettings;
const port = parentPort;
if (!port) throw new Error('feature-thread-worker must run in a worker thread');
const reply = (message: FeatureThreadReply): void => {
  port.postMessage(message);
};

const redis = createRedis({
  ...settings.redis,
  onError: (error) => {
    reply({ id: 0, ok: false, log: `redis (feature thread): ${error.message}` });
  },
});
const reader = new FeatureReader(redis, settings.views, {
  keyPrefix: settings.keyPrefix,
  cacheSlabs: settings.cacheSlabs,
});

port.on('message', (request: FeatureThreadRequest) => {
  reader.readBatch(unpackQueries(request.queries), { deadlineMs: request.deadlineMs }).then(
    (readings) => {
      reply({ id: request.id, ok: true, readings, stats: reader.cacheStats() });
    },
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      reply({ id: request.id, ok: false, retryCode: retryCodeOf(error), message });
    },
  );
});

/** The code a retriable error crosses the thread with; a retriable error without one is UNAVAILABLE. */
function retryCodeOf(error: unknown): RetryCode | null {
  if (error instanceof RetriableError) return error.code;
  return isRetriable(error) ? 'UNAVAILABLE' : null;
}
