import type { FeatureQuery, FeatureReading, ReadOptions } from '@streamscore/features';
import { sleep } from '@streamscore/kafka';
import { incompleteReadings } from './feature-plan';

/** What the scorer needs of libs/features' FeatureReader. */
export interface FeatureSource {
  readBatch(queries: readonly FeatureQuery[], options: ReadOptions): Promise<FeatureReading[]>;
}

export interface FetchOptions {
  /**
   * Longest wait for the feature watermarks to reach the reads' cut-offs before scoring anyway,
   * counted from the end of the first read: a read slowed by load is not a reason to give up on
   * features that are about to be complete.
   */
  readonly maxWaitMs: number;
  /** Budget of one read (one Redis round trip); past it a RetriableError is thrown. */
  readonly readDeadlineMs: number;
  /** Called while waiting, so the consumer group does not think this member died. */
  readonly heartbeat: () => Promise<void>;
  /** Monotonic clock and pause, for tests (default performance.now and a timer). */
  readonly clock?: { readonly now: () => number; readonly sleep: (ms: number) => Promise<void> };
}

const REAL_CLOCK = { now: () => performance.now(), sleep };

const FIRST_RETRY_MS = 10;
const MAX_RETRY_MS = 200;

export interface FetchedFeatures {
  readonly readings: FeatureReading[];
  readonly rereads: number;
  /** The first read of the batch. */
  readonly readMs: number;
  /** The readiness wait after it: pauses and re-reads until complete or maxWaitMs (0 when none was needed). */
  readonly waitMs: number;
}

/**
 * One read for the whole batch; readings whose view watermark is behind their cut-off
 * (bucketStart(event time − the view's allowed lateness), libs/features readCutoffOf) are read
 * again (only those) with a growing pause until complete or `maxWaitMs` has passed since the first
 * read returned. What is still
 * incomplete then is scored as it is and flagged staleFeatures. The first read and the wait are
 * timed apart: the wait is the event-time readiness of the store, not the cost of a read. Redis
 * failures propagate as the reader's RetriableError: the batch runner pauses the partition and
 * retries the batch.
 */
export async function fetchFeatures(
  source: FeatureSource,
  queries: readonly FeatureQuery[],
  options: FetchOptions,
): Promise<FetchedFeatures> {
  const clock = options.clock ?? REAL_CLOCK;
  const started = clock.now();
  const readings = await source.readBatch(queries, { deadlineMs: options.readDeadlineMs });
  const waitStarted = clock.now();
  let pending = incompleteReadings(readings);
  let pause = FIRST_RETRY_MS;
  let rereads = 0;
  while (pending.length > 0) {
    const left = options.maxWaitMs - (clock.now() - waitStarted);
    if (left <= 0) break;
    await clock.sleep(Math.min(pause, left));
    pause = Math.min(pause * 2, MAX_RETRY_MS);
    await options.heartbeat().catch(() => undefined);
    const again = await source.readBatch(
      pending.map((i) => queries[i] as FeatureQuery),
      { deadlineMs: options.readDeadlineMs },
    );
    rereads += 1;
    again.forEach((reading, j) => {
      const index = pending[j];
      if (index !== undefined) readings[index] = reading;
    });
    pending = incompleteReadings(readings);
  }
  return {
    readings,
    rereads,
    readMs: waitStarted - started,
    waitMs: rereads === 0 ? 0 : clock.now() - waitStarted,
  };
}
