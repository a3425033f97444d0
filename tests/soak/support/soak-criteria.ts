/**
 * The soak's pass criteria (issue #18 item 4), pure: after the warm-up (caches filled) a service's
 * memory must not keep growing and its lag must not keep rising; the exact accounting is judged by
 * demo/runner/accounting.ts.
 */

/** RSS growth allowed after the warm-up, per service. */
export const MAX_RSS_SLOPE_MIB_PER_10_MIN = 16;

/** One minute of one service: the mean of its RSS samples and the median of its lag samples. */
export interface ServiceMinute {
  /** 1 = the first minute of sending. */
  readonly minute: number;
  readonly rssMiB: number;
  readonly lag: number;
}

export interface ServiceVerdict {
  readonly service: string;
  /** Least-squares slope of the per-minute RSS over the minutes after the warm-up. */
  readonly rssSlopeMiBPer10Min: number;
  readonly rssPass: boolean;
  readonly lagAtWarmup: number;
  readonly lagAtEnd: number;
  readonly microBatchRows: number;
  readonly lagPass: boolean;
}

/** Nearest-rank percentile of ascending `sorted` (p in [0, 1]); 0 when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** Ordinary least-squares slope of y over x; 0 for fewer than two distinct x. */
export function leastSquaresSlope(points: readonly (readonly [x: number, y: number])[]): number {
  const mx = mean(points.map(([x]) => x));
  const my = mean(points.map(([, y]) => y));
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

/**
 * Judges one service over minutes 1…N: the RSS slope over minutes warmupMinutes+1…N (per-minute
 * means, least squares) at most MAX_RSS_SLOPE_MIB_PER_10_MIN per 10 minutes, and the lag of minute
 * N at most the lag of minute warmupMinutes plus one micro-batch.
 */
export function judgeService(
  service: string,
  minutes: readonly ServiceMinute[],
  warmupMinutes: number,
  microBatchRows: number,
): ServiceVerdict {
  const last = minutes[minutes.length - 1];
  const atWarmup = minutes.find((m) => m.minute === warmupMinutes);
  if (last === undefined || atWarmup === undefined || last.minute - warmupMinutes < 2)
    throw new RangeError(`${service}: need the warm-up minute and 2 minutes after it`);
  const after = minutes.filter((m) => m.minute > warmupMinutes);
  const slope = leastSquaresSlope(after.map((m) => [m.minute, m.rssMiB] as const)) * 10;
  return {
    service,
    rssSlopeMiBPer10Min: Math.round(slope * 10) / 10,
    rssPass: slope <= MAX_RSS_SLOPE_MIB_PER_10_MIN,
    lagAtWarmup: atWarmup.lag,
    lagAtEnd: last.lag,
    microBatchRows,
    lagPass: last.lag <= atWarmup.lag + microBatchRows,
  };
}
