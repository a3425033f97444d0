/**
 * Latency where users see it, as pure arithmetic: which predictions a steady run measures (its
 * window) and their percentiles, end to end at receipt and by hop. No I/O here.
 */
import { inWindow, percentile, type MeasureWindow } from '@streamscore/testing';

/** One prediction the tail received, with the times of its way through the pipeline (ms). */
export interface ReceiptSample {
  /** Its departure's record timestamp on `events` (the demo producer's clock at send). */
  readonly appendedAtMs: number;
  /** The validated record's timestamp on `events.validated` (ingestion's clock at send), if read. */
  readonly validatedAtMs: number | undefined;
  /** The prediction's record timestamp on `predictions` (inference's clock at send, before commit). */
  readonly predictedAtMs: number;
  /** When the read_committed tail received it (the demo's clock). */
  readonly receivedAtMs: number;
  readonly queueMs: number;
  readonly featuresMs: number;
  readonly featureWaitMs: number;
  readonly inferenceMs: number;
}

/** Summary fields of the receipt latency (docs/demo-summary.md). */
export interface ReceiptLatency {
  /** Where the window starts and ends, in seconds after the replay started (ends early with the replay). */
  latencyWindowFromS: number;
  latencyWindowToS: number;
  /** Predictions the tail received in all, measured or not: `predicted` when it saw every one. */
  latencyTailReceived: number;
  latencyMeasured: number;
  receiptLatencyMsP50: number;
  receiptLatencyMsP99: number;
  hopIngestionMsP50: number;
  hopIngestionMsP99: number;
  hopReadinessWaitMsP50: number;
  hopReadinessWaitMsP99: number;
  hopInferenceQueueMsP50: number;
  hopInferenceQueueMsP99: number;
  hopFeatureReadMsP50: number;
  hopFeatureReadMsP99: number;
  hopScoringMsP50: number;
  hopScoringMsP99: number;
  hopCommitMsP50: number;
  hopCommitMsP99: number;
}

const round1 = (ms: number): number => Math.round(ms * 10) / 10;

function p50p99(values: number[]): [number, number] {
  values.sort((a, b) => a - b);
  return [round1(percentile(values, 0.5)), round1(percentile(values, 0.99))];
}

/**
 * Percentiles over every received prediction whose departure was appended inside the window.
 * `lastAppendMs` (the last departure's append) cuts the reported window short when the replay
 * ended before it; `received` counts the predictions the tail received in all.
 */
export function summarizeReceipts(
  samples: readonly ReceiptSample[],
  window: MeasureWindow,
  replayStartedMs: number,
  lastAppendMs: number,
  received: number,
): ReceiptLatency {
  const measured = samples.filter((s) => inWindow(window, s.appendedAtMs));
  const pick = (f: (s: ReceiptSample) => number | undefined): [number, number] =>
    p50p99(measured.map(f).filter((v): v is number => v !== undefined));
  const [e2e50, e2e99] = pick((s) => s.receivedAtMs - s.appendedAtMs);
  const [ing50, ing99] = pick((s) =>
    s.validatedAtMs === undefined ? undefined : s.validatedAtMs - s.appendedAtMs,
  );
  const [wait50, wait99] = pick((s) => s.featureWaitMs);
  const [queue50, queue99] = pick((s) => s.queueMs);
  const [read50, read99] = pick((s) => s.featuresMs);
  const [score50, score99] = pick((s) => s.inferenceMs);
  const [commit50, commit99] = pick((s) => s.receivedAtMs - s.predictedAtMs);
  const seconds = (ms: number): number => round1((ms - replayStartedMs) / 1000);
  // Ends where the last departure was appended if that came first (+1: the window is half-open).
  const toMs = Math.max(window.fromMs, Math.min(window.toMs, lastAppendMs + 1));
  return {
    latencyWindowFromS: seconds(window.fromMs),
    latencyWindowToS: seconds(toMs),
    latencyTailReceived: received,
    latencyMeasured: measured.length,
    receiptLatencyMsP50: e2e50,
    receiptLatencyMsP99: e2e99,
    hopIngestionMsP50: ing50,
    hopIngestionMsP99: ing99,
    hopReadinessWaitMsP50: wait50,
    hopReadinessWaitMsP99: wait99,
    hopInferenceQueueMsP50: queue50,
    hopInferenceQueueMsP99: queue99,
    hopFeatureReadMsP50: read50,
    hopFeatureReadMsP99: read99,
    hopScoringMsP50: score50,
    hopScoringMsP99: score99,
    hopCommitMsP50: commit50,
    hopCommitMsP99: commit99,
  };
}
