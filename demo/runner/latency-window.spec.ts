import { measureWindow } from '@streamscore/testing';
import { summarizeReceipts, type ReceiptSample } from './latency-window';

const START = 1_700_000_000_000;

/** A prediction of a departure appended `atS` after the start, received `e2eMs` after that. */
function sample(atS: number, e2eMs: number, over: Partial<ReceiptSample> = {}): ReceiptSample {
  const appendedAtMs = START + atS * 1000;
  return {
    appendedAtMs,
    validatedAtMs: appendedAtMs + 5,
    predictedAtMs: appendedAtMs + e2eMs - 3,
    receivedAtMs: appendedAtMs + e2eMs,
    queueMs: 10,
    featuresMs: 2,
    featureWaitMs: 0,
    inferenceMs: 1,
    ...over,
  };
}

describe('latency-window', () => {
  describe('summarizeReceipts', () => {
    it('should measure only predictions of departures appended inside the window', () => {
      const samples = [
        sample(1, 5_000), // warm-up: its slow start must not count
        ...Array.from({ length: 99 }, (_, i) => sample(10 + i * 0.5, 40)),
        sample(60, 900), // the one slow measured prediction: it is the p99
        sample(75, 7_000), // after the window
      ];
      const s = summarizeReceipts(samples, measureWindow(START, 10, 60), START, START + 75_000, 102);
      expect(s.latencyMeasured).toBe(100);
      expect(s.latencyTailReceived).toBe(102);
      expect(s.receiptLatencyMsP50).toBe(40);
      expect(s.receiptLatencyMsP99).toBe(900);
      expect([s.latencyWindowFromS, s.latencyWindowToS]).toEqual([10, 70]);
    });

    it('should report each hop from its own times and timings', () => {
      const s = summarizeReceipts(
        [sample(20, 100, { featureWaitMs: 30, queueMs: 12.34, featuresMs: 4, inferenceMs: 1.25 })],
        measureWindow(START, 10, 60),
        START,
        START + 20_000,
        1,
      );
      expect(s.hopIngestionMsP99).toBe(5);
      expect(s.hopReadinessWaitMsP99).toBe(30);
      expect(s.hopInferenceQueueMsP50).toBe(12.3);
      expect(s.hopFeatureReadMsP99).toBe(4);
      expect(s.hopScoringMsP99).toBe(1.3);
      expect(s.hopCommitMsP99).toBe(3);
    });

    it('should end the reported window with the replay when it ended first', () => {
      const s = summarizeReceipts([sample(12, 50)], measureWindow(START, 10, 60), START, START + 25_000, 1);
      expect(s.latencyWindowToS).toBe(25);
    });

    it('should skip the ingestion hop of a prediction whose validated record was not read', () => {
      const s = summarizeReceipts(
        [sample(15, 50, { validatedAtMs: undefined }), sample(16, 50)],
        measureWindow(START, 10, 60),
        START,
        START + 20_000,
        2,
      );
      expect(s.latencyMeasured).toBe(2);
      expect(s.hopIngestionMsP50).toBe(5);
    });

    it('should report zeros, not NaN, when nothing was measured', () => {
      const s = summarizeReceipts([sample(2, 50)], measureWindow(START, 10, 60), START, START + 5_000, 1);
      expect(s.latencyMeasured).toBe(0);
      expect(s.receiptLatencyMsP99).toBe(0);
      expect(s.latencyWindowToS).toBe(10);
    });
  });
});
