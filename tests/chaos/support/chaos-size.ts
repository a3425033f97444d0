/**
 * Scenario sizes: small enough for CI's chaos budget by default, the sizes with
 * STREAMSCORE_CHAOS_SIZE=full (`npm run test:chaos:full`). A single STREAMSCORE_CHAOS_EVENTS or
 * STREAMSCORE_CHAOS_BACKLOG or STREAMSCORE_CHAOS_INFERENCE_EVENTS overrides one.
 */
export interface ChaosSize {
  readonly label: 'ci' | 'full';
  /** Events per crash / broker-restart run (issue 9: 200,000 at full size). */
  readonly events: number;
  /** Backlog produced before the overload run starts (issue 9: 1,000,000 at full size). */
  readonly backlog: number;
  /** Validated events per inference run (crash, broker restart, Redis outage). */
  readonly inferenceEvents: number;
}

export function chaosSize(env: NodeJS.ProcessEnv = process.env): ChaosSize {
  const full = env['STREAMSCORE_CHAOS_SIZE'] === 'full';
  return {
    label: full ? 'full' : 'ci',
    events: positive(env['STREAMSCORE_CHAOS_EVENTS'], full ? 200_000 : 20_000),
    backlog: positive(env['STREAMSCORE_CHAOS_BACKLOG'], full ? 1_000_000 : 100_000),
    // Smaller than `events` in CI: each inference run also materializes the features it reads.
    inferenceEvents: positive(env['STREAMSCORE_CHAOS_INFERENCE_EVENTS'], full ? 200_000 : 10_000),
  };
}

function positive(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`expected a positive integer, got ${value}`);
  return n;
}
