import type { Decoder } from '@streamscore/contracts';
import type { MeasureWindow, TailRecord } from '@streamscore/testing';
import { summarizeReceipts, type ReceiptLatency, type ReceiptSample } from './latency-window';

/** What the run's read_committed tail of `predictions` received, and the window to measure. */
export interface Receipts {
  /** Everything the tail received, once it has received `predicted` records (or gave up waiting). */
  readonly collect: (predicted: number) => Promise<readonly TailRecord[]>;
  readonly window: MeasureWindow;
  readonly replayStartedMs: number;
}

interface Timings {
  readonly queueMs: number;
  readonly featuresMs: number;
  readonly featureWaitMs: number;
  readonly inferenceMs: number;
}

/**
 * Decodes the received predictions (after the run: the tail only stamped them) and matches each
 * with its departure's append time and its validated record's, read back from the topics.
 */
export async function receiptLatency(
  receipts: Receipts,
  decoder: Decoder<Record<string, unknown>>,
  appendedAt: ReadonlyMap<string, number>,
  validatedAt: ReadonlyMap<string, number>,
  predicted: number,
): Promise<ReceiptLatency> {
  const records = await receipts.collect(predicted);
  const samples: ReceiptSample[] = [];
  for (const m of records) {
    const r = await decoder.decode(m.value, m.headers);
    if (!r.ok) continue;
    const id = String(r.record['eventId']);
    const appended = appendedAt.get(id);
    const timings = r.record['timings'] as Timings | undefined;
    if (appended === undefined || !timings) continue;
    samples.push({
      appendedAtMs: appended,
      validatedAtMs: validatedAt.get(id),
      predictedAtMs: m.timestampMs,
      receivedAtMs: m.receivedAtMs,
      queueMs: timings.queueMs,
      featuresMs: timings.featuresMs,
      featureWaitMs: timings.featureWaitMs,
      inferenceMs: timings.inferenceMs,
    });
  }
  let lastAppendMs = receipts.replayStartedMs;
  for (const at of appendedAt.values()) lastAppendMs = Math.max(lastAppendMs, at);
  return summarizeReceipts(samples, receipts.window, receipts.replayStartedMs, lastAppendMs, records.length);
}
