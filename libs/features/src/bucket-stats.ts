/**
 * Sufficient statistics of one time bucket (or of a merged window). Arrays are indexed like the
 * view's ValueFields. The Redis apply script keeps the same statistics with the same update
 * rules (apply-script.ts); any change here must be mirrored there.
 */
export interface BucketStats {
  count: number;
  sums: number[];
  mins: number[];
  maxs: number[];
  /** Largest record time seen; -Infinity when empty. */
  lastTimeMs: number;
  /** Value at lastTimeMs; on a time tie the larger value wins, so arrival order cannot matter. */
  lasts: number[];
}

export type FeatureValues = Record<string, number | null>;

export function emptyStats(fieldCount: number): BucketStats {
  return {
    count: 0,
    sums: new Array<number>(fieldCount).fill(0),
    mins: new Array<number>(fieldCount).fill(Infinity),
    maxs: new Array<number>(fieldCount).fill(-Infinity),
    lastTimeMs: -Infinity,
    lasts: new Array<number>(fieldCount).fill(-Infinity),
  };
}

export function copyStats(stats: BucketStats): BucketStats {
  return {
    count: stats.count,
    sums: stats.sums.slice(),
    mins: stats.mins.slice(),
    maxs: stats.maxs.slice(),
    lastTimeMs: stats.lastTimeMs,
    lasts: stats.lasts.slice(),
  };
}

/** Empties `stats` for reuse as an accumulator. */
export function resetStats(stats: BucketStats): void {
  stats.count = 0;
  stats.sums.fill(0);
  stats.mins.fill(Infinity);
  stats.maxs.fill(-Infinity);
  stats.lastTimeMs = -Infinity;
  stats.lasts.fill(-Infinity);
}

export function addRecord(stats: BucketStats, timeMs: number, values: readonly number[]): void {
  stats.count += 1;
  const newer = timeMs > stats.lastTimeMs;
  const tie = timeMs === stats.lastTimeMs;
  if (newer) stats.lastTimeMs = timeMs;
  values.forEach((value, i) => {
    stats.sums[i] = (stats.sums[i] ?? 0) + value;
    stats.mins[i] = Math.min(stats.mins[i] ?? Infinity, value);
    stats.maxs[i] = Math.max(stats.maxs[i] ?? -Infinity, value);
    if (newer) stats.lasts[i] = value;
    else if (tie) stats.lasts[i] = Math.max(stats.lasts[i] ?? -Infinity, value);
  });
}

/** Folds `bucket` into `into`. Callers merge buckets in ascending time order. */
export function mergeInto(into: BucketStats, bucket: BucketStats): void {
  if (bucket.count === 0) return;
  into.count += bucket.count;
  const newer = bucket.lastTimeMs > into.lastTimeMs;
  const tie = bucket.lastTimeMs === into.lastTimeMs;
  if (newer) into.lastTimeMs = bucket.lastTimeMs;
  for (let i = 0; i < into.sums.length; i++) {
    into.sums[i] = (into.sums[i] ?? 0) + (bucket.sums[i] ?? 0);
    into.mins[i] = Math.min(into.mins[i] ?? Infinity, bucket.mins[i] ?? Infinity);
    into.maxs[i] = Math.max(into.maxs[i] ?? -Infinity, bucket.maxs[i] ?? -Infinity);
    if (newer) into.lasts[i] = bucket.lasts[i] ?? -Infinity;
    else if (tie) into.lasts[i] = Math.max(into.lasts[i] ?? -Infinity, bucket.lasts[i] ?? -Infinity);
  }
}
