/**
 * Which records a steady run measures, and the percentile rule every latency figure uses: pure
 * arithmetic shared by the demo's summary and the benches.
 */

/** Records appended in [fromMs, toMs) are measured. */
export interface MeasureWindow {
  readonly fromMs: number;
  readonly toMs: number;
}

/** The first `warmupS` after the run starts are not measured; the `measureS` after them are. */
export function measureWindow(startedMs: number, warmupS: number, measureS: number): MeasureWindow {
  const fromMs = startedMs + Math.max(0, warmupS) * 1000;
  return { fromMs, toMs: fromMs + Math.max(0, measureS) * 1000 };
}

export const inWindow = (window: MeasureWindow, atMs: number): boolean =>
  atMs >= window.fromMs && atMs < window.toMs;

/** Nearest rank (the value at floor(p·n) of the sorted values); 0 when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}
