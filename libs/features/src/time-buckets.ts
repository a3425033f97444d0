import type { FeatureView } from './feature-view';

/**
 * Event-time buckets. Buckets are aligned to multiples of bucketMs from the epoch, so every
 * process places a record in the same bucket without coordination.
 */
export function bucketStartOf(timeMs: number, bucketMs: number): number {
  return Math.floor(timeMs / bucketMs) * bucketMs;
}

export interface TimeRange {
  /** Inclusive. */
  readonly fromMs: number;
  /** Exclusive. */
  readonly toMs: number;
}

/** What of a view decides the window a read covers. */
export type WindowShape = Pick<FeatureView, 'bucketMs' | 'windowMs' | 'allowedLatenessMs'>;

/**
 * The cut-off of a read as of `atMs`: the start of the bucket holding `atMs − allowedLatenessMs`,
 * the last bucket boundary the view's watermark (max event time − allowedLatenessMs) has passed
 * once the store has seen event time `atMs`. The window ends there, so:
 * - no leakage: every record counted has time < cut-off <= atMs − allowedLatenessMs <= atMs;
 * - online equals offline: the window is whole buckets, which the store and the raw records agree on;
 * - no wait in steady state: when event time is wall-clock time the watermark trails the newest
 *   event by the allowed lateness, so it is already at the cut-off of a read as of now. (Ending the
 *   window at bucketStart(atMs), as before issue #19, made every such read wait for the watermark
 *   to catch up by the whole lateness: its maximum wait, then scored as stale.)
 * Online (read-plan.ts), offline (offline.ts) and so training all take the window from here.
 */
export function readCutoffOf(atMs: number, view: WindowShape): number {
  return bucketStartOf(atMs - view.allowedLatenessMs, view.bucketMs);
}

/**
 * The window a read as of `atMs` covers: [cut-off − windowMs, cut-off) (readCutoffOf). It is
 * complete, its values final, once the view's watermark has reached the cut-off: the materializer
 * refuses every record older than the watermark.
 */
export function windowAsOf(atMs: number, view: WindowShape): TimeRange {
  const toMs = readCutoffOf(atMs, view);
  return { fromMs: toMs - view.windowMs, toMs };
}

/** Whether a read as of `atMs` is final given the view's watermark (null: nothing materialized). */
export function isCompleteAsOf(atMs: number, view: WindowShape, watermarkMs: number | null): boolean {
  return watermarkMs !== null && watermarkMs >= readCutoffOf(atMs, view);
}

/**
 * Slabs group windowMs worth of buckets under one Redis key. Slabs are aligned to multiples of
 * windowMs, so a window (length windowMs, aligned to buckets) spans at most two slabs.
 */
export function slabStartOf(timeMs: number, windowMs: number): number {
  return Math.floor(timeMs / windowMs) * windowMs;
}

/** Bucket starts in [range.fromMs, range.toMs), ascending. */
export function bucketStartsIn(range: TimeRange, bucketMs: number): number[] {
  const starts: number[] = [];
  for (let start = range.fromMs; start < range.toMs; start += bucketMs) starts.push(start);
  return starts;
}
