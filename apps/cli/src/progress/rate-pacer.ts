/** Milliseconds to wait so that `sent` records since the start keep to `ratePerSecond`. */
export function pacingDelayMs(sent: number, ratePerSecond: number, elapsedMs: number): number {
  if (!(ratePerSecond > 0)) return 0;
  return Math.max(0, (sent * 1000) / ratePerSecond - elapsedMs);
}

/**
 * Rate limiting by schedule rather than by token bucket: after each batch it sleeps until the
 * records sent so far are due, so a slow send is caught up later instead of lowering the rate.
 */
export class RatePacer {
  private readonly startMs = Date.now();

  constructor(private readonly ratePerSecond: number | undefined) {}

  /** Records per send so that batches stay about 100 ms apart at the target rate. */
  batchSize(maxBatch: number): number {
    if (this.ratePerSecond === undefined) return maxBatch;
    return Math.max(1, Math.min(maxBatch, Math.ceil(this.ratePerSecond / 10)));
  }

  async pace(sent: number): Promise<void> {
    if (this.ratePerSecond === undefined) return;
    const delay = pacingDelayMs(sent, this.ratePerSecond, Date.now() - this.startMs);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
