import { NO_PROGRESS_MS, SourceWatermark, type PartitionOffsets } from './source-watermark';

const L = 1_000;

function offsets(...rows: [partition: number, high: number, committed: number][]): PartitionOffsets[] {
  return rows.map(([partition, high, committed]) => ({ partition, low: 0, high, committed }));
}

/** A topic no ingestion reports progress for (written by something else): per-partition rule. */
function withoutUpstream(rows: PartitionOffsets[]): SourceWatermark {
  const w = new SourceWatermark();
  w.setReading(undefined, rows);
  return w;
}

describe('SourceWatermark', () => {
  describe('without upstream progress (per-partition watermarks)', () => {
    it('should be the minimum over lagging partitions of max event time minus lateness', () => {
      const w = withoutUpstream(offsets([0, 100, -1], [1, 100, -1]));
      w.observe(0, 50, 10_000);
      w.observe(1, 60, 7_000);
      expect(w.watermarkMs(L)).toBe(6_000);
    });

    it('should hold at NO_PROGRESS_MS while a partition with records left has none materialized', () => {
      const w = withoutUpstream(offsets([0, 100, -1], [1, 5, -1]));
      w.observe(0, 50, 10_000);
      expect(w.watermarkMs(L)).toBe(NO_PROGRESS_MS);
    });

    it('should not let a caught-up or empty partition hold it back', () => {
      const w = withoutUpstream(offsets([0, 100, -1], [1, 0, -1], [2, 40, 40]));
      w.observe(0, 50, 10_000);
      expect(w.watermarkMs(L)).toBe(9_000);
      w.observe(0, 100, 12_000);
      expect(w.watermarkMs(L)).toBeUndefined();
    });

    it('should use the progress other instances shared for partitions it does not consume', () => {
      const w = withoutUpstream(offsets([0, 100, -1], [1, 100, 30]));
      w.observe(0, 50, 10_000);
      w.setShared(new Map([[1, 4_000]]));
      expect(w.watermarkMs(L)).toBe(3_000);
    });

    it('should hold while records arrived after a read that found nothing upstream, until the next read', () => {
      const w = withoutUpstream(offsets([0, 0, -1], [1, 0, -1]));
      // A burst lands after the read: partition 0 is read first, partition 1's older records may follow.
      w.observe(0, 40, 20_000);
      expect(w.watermarkMs(L)).toBe(NO_PROGRESS_MS);
      w.setReading(undefined, offsets([0, 40, -1], [1, 30, -1]));
      expect(w.watermarkMs(L)).toBe(NO_PROGRESS_MS);
      w.observe(1, 30, 15_000);
      expect(w.watermarkMs(L)).toBeUndefined();
    });
  });

  describe("on ingestion's progress", () => {
    it('should hold at NO_PROGRESS_MS before the first reading', () => {
      expect(new SourceWatermark().watermarkMs(L)).toBe(NO_PROGRESS_MS);
    });

    it("should bound unread records by the reading whose ends were passed, not by a partition's own newest", () => {
      const w = new SourceWatermark();
      w.setReading(5_000, offsets([0, 0, -1], [1, 0, -1]));
      w.setReading(12_000, offsets([0, 100, -1], [1, 100, -1]));
      // Partition 0 already read 20 s records, but records up to its end were committed after the
      // 5 s reading only: another input partition's transaction can bring older ones next.
      w.observe(0, 50, 20_000);
      w.observe(1, 60, 15_000);
      expect(w.watermarkMs(L)).toBe(4_000);
      w.observe(0, 100, 20_000);
      expect(w.watermarkMs(L)).toBe(4_000);
      // Both read to the ends of the 12 s reading (past its last commit marker).
      w.observe(1, 100, 15_000);
      expect(w.watermarkMs(L)).toBe(11_000);
    });

    it('should hold a partition that has not passed any reading yet', () => {
      const w = new SourceWatermark();
      w.setReading(12_000, offsets([0, 100, -1]));
      w.observe(0, 50, 20_000);
      expect(w.watermarkMs(L)).toBe(NO_PROGRESS_MS);
    });

    it('should hold at NO_PROGRESS_MS while ingestion has records left and no committed progress', () => {
      const w = new SourceWatermark();
      w.setReading(NO_PROGRESS_MS, offsets([0, 0, -1]));
      expect(w.watermarkMs(L)).toBe(NO_PROGRESS_MS);
      w.setReading(30_000, offsets([0, 0, -1]));
      expect(w.watermarkMs(L)).toBe(29_000);
    });
  });

  it('should never lower a partition maximum when an older batch or stale share arrives', () => {
    const w = withoutUpstream(offsets([0, 100, -1]));
    w.observe(0, 50, 10_000);
    w.observe(0, 40, 8_000);
    w.setShared(new Map([[0, 5_000]]));
    expect(w.maxTimeMs(0)).toBe(10_000);
    expect(w.watermarkMs(L)).toBe(9_000);
  });

  it('should report the greatest event time over partitions', () => {
    const w = new SourceWatermark();
    expect(w.sourceMaxTimeMs()).toBeUndefined();
    w.observe(0, 1, 5);
    w.setShared(new Map([[3, 9]]));
    expect(w.sourceMaxTimeMs()).toBe(9);
  });
});
