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

/**
 * The window a read as of `atMs` covers: it ends at the START of at's bucket, so a record in
 * the same bucket as `at` (even one earlier than `at`) is never included. That is what makes
 * online (bucketed) and offline values equal and rules out leakage by construction: every
 * included record has time < bucketStart(at) <= at.
 */
export function windowEndingBefore(atMs: number, bucketMs: number, windowMs: number): TimeRange {
  const toMs = bucketStartOf(atMs, bucketMs);
  return { fromMs: toMs - windowMs, toMs };
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
