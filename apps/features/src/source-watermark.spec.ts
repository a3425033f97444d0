import { NO_PROGRESS_MS, SourceWatermark, type PartitionOffsets } from './source-watermark';

const L = 1_000;

function offsets(...rows: [partition: number, high: number, committed: number][]): PartitionOffsets[] {
  return rows.map(([partition, high, committed]) => ({ partition, low: 0, high, committed }));
}

describe('SourceWatermark', () => {
  describe('watermarkMs', () => {
    it('should be the minimum over lagging partitions of max event time minus lateness', () => {
      const w = new SourceWatermark();
      w.setOffsets(offsets([0, 100, -1], [1, 100, -1]));
      w.observe(0, 50, 10_000);
      w.observe(1, 60, 7_000);
      expect(w.watermarkMs(L)).toBe(6_000);
    });

    it('should hold at NO_PROGRESS_MS while a partition with records left has none materialized', () => {
      const w = new SourceWatermark();
      w.setOffsets(offsets([0, 100, -1], [1, 5, -1]));
      w.observe(0, 50, 10_000);
      expect(w.watermarkMs(L)).toBe(NO_PROGRESS_MS);
    });

    it('should not let a caught-up or empty partition hold it back', () => {
      const w = new SourceWatermark();
      w.setOffsets(offsets([0, 100, -1], [1, 0, -1], [2, 40, 40]));
      w.observe(0, 50, 10_000);
      expect(w.watermarkMs(L)).toBe(9_000);
      w.observe(0, 100, 12_000);
      expect(w.watermarkMs(L)).toBeUndefined();
    });

    it('should let a caught-up partition hold it until the partition has been idle for idleMs', () => {
      let now = 0;
      const w = new SourceWatermark({ idleMs: 3_000, now: () => now });
      w.setOffsets(offsets([0, 100, -1], [1, 100, -1]));
      w.observe(0, 100, 20_000);
      w.observe(1, 100, 8_000);
      // Both caught up; partition 1 (behind) may receive its producer's next batch any moment.
      expect(w.watermarkMs(L)).toBe(7_000);
      now = 2_999;
      expect(w.watermarkMs(L)).toBe(7_000);
      now = 3_000;
      expect(w.watermarkMs(L)).toBeUndefined();
      // New records in partition 1 make it active again.
      w.setOffsets(offsets([0, 100, -1], [1, 150, -1]));
      expect(w.watermarkMs(L)).toBe(7_000);
      w.observe(1, 150, 19_000);
      now = 5_000;
      expect(w.watermarkMs(L)).toBe(18_000);
    });

    it('should hold it for a partition without records yet from the first activity of any partition until idle', () => {
      let now = 0;
      const w = new SourceWatermark({ idleMs: 3_000, now: () => now });
      w.setOffsets(offsets([0, 0, -1], [1, 0, -1]));
      now = 60_000; // long after start: nothing counts as active before the first record
      w.markActive(0);
      expect(w.watermarkMs(L)).toBe(NO_PROGRESS_MS);
      w.observe(0, 10, 20_000);
      // Partition 1 may receive records older than partition 0's any moment.
      expect(w.watermarkMs(L)).toBe(NO_PROGRESS_MS);
      now = 63_000;
      w.markActive(0);
      expect(w.watermarkMs(L)).toBe(19_000);
    });

    it('should use the progress other instances shared for partitions it does not consume', () => {
      const w = new SourceWatermark();
      w.setOffsets(offsets([0, 100, -1], [1, 100, 30]));
      w.observe(0, 50, 10_000);
      w.setShared(new Map([[1, 4_000]]));
      expect(w.watermarkMs(L)).toBe(3_000);
    });

    it('should never lower a partition maximum when an older batch or stale share arrives', () => {
      const w = new SourceWatermark();
      w.setOffsets(offsets([0, 100, -1]));
      w.observe(0, 50, 10_000);
      w.observe(0, 40, 8_000);
      w.setShared(new Map([[0, 5_000]]));
      expect(w.maxTimeMs(0)).toBe(10_000);
      expect(w.watermarkMs(L)).toBe(9_000);
    });
  });

  it('should report the greatest event time over partitions', () => {
    const w = new SourceWatermark();
    expect(w.sourceMaxTimeMs()).toBeUndefined();
    w.observe(0, 1, 5);
    w.setShared(new Map([[3, 9]]));
    expect(w.sourceMaxTimeMs()).toBe(9);
  });
});
