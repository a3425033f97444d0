import { prepareReferences } from './references';
import { observations, references } from './test-streams';
import { TumblingWindows } from './tumbling-windows';
import type { Observation } from './window-accumulator';

const HOUR = 3_600_000;
const { references: refs, featureOrder } = references(1, 2_000, 500, {
  numericFeatures: 2,
  withCategory: true,
});
const prepared = prepareReferences(refs, featureOrder, 2_000);

const at = (eventTime: number): Observation => ({
  ...(observations(eventTime, 1, eventTime, { numericFeatures: 2, withCategory: true })[0] as Observation),
  eventTime,
});

describe('TumblingWindows', () => {
  describe('by event time', () => {
    it('should close a window once the watermark (max event time − lateness) passes its end', () => {
      const windows = new TumblingWindows(prepared, {
        kind: 'time',
        sizeMs: HOUR,
        allowedLatenessMs: HOUR / 2,
      });
      windows.add(at(10));
      windows.add(at(HOUR + 10));
      expect(windows.takeClosable()).toHaveLength(0);
      windows.add(at(HOUR + HOUR / 2));
      const closed = windows.takeClosable();
      expect(closed.map((w) => w.bounds())).toEqual([{ start: 0, end: HOUR, index: 0 }]);
      expect(closed[0]?.events).toBe(1);
      expect(windows.openWindows()).toHaveLength(1);
    });

    it('should hold windows open while the input (slowest partition) is behind', () => {
      const windows = new TumblingWindows(prepared, { kind: 'time', sizeMs: HOUR, allowedLatenessMs: 0 });
      windows.add(at(10));
      windows.add(at(3 * HOUR));
      expect(windows.takeClosable(HOUR - 1)).toHaveLength(0);
      expect(windows.takeClosable(HOUR).map((w) => w.index)).toEqual([0]);
    });

    it('should drop records of windows already closed, and accept late ones within the lateness', () => {
      const windows = new TumblingWindows(prepared, { kind: 'time', sizeMs: HOUR, allowedLatenessMs: HOUR });
      windows.add(at(HOUR + 5));
      expect(windows.add(at(HOUR - 1))).not.toBeNull();
      windows.add(at(2 * HOUR));
      expect(windows.takeClosable()).toHaveLength(1);
      expect(windows.add(at(HOUR - 2))).toBeNull();
    });

    it('should not reopen windows a previous run reported (closedThrough)', () => {
      const windows = new TumblingWindows(
        prepared,
        { kind: 'time', sizeMs: HOUR, allowedLatenessMs: 0 },
        { closedThrough: 2 * HOUR, nextIndex: 0 },
      );
      expect(windows.add(at(HOUR + 1))).toBeNull();
      expect(windows.add(at(2 * HOUR))).not.toBeNull();
    });

    it('should count missing numeric values apart and keep memory bounded by the value capacity', () => {
      const windows = new TumblingWindows(
        prepared,
        { kind: 'time', sizeMs: HOUR, allowedLatenessMs: 0 },
        undefined,
        100,
      );
      for (const o of observations(3, 1_000, 0, { numericFeatures: 2, withCategory: true })) windows.add(o);
      windows.add({ eventTime: 5, score: 0.5, features: { x0: Number.NaN }, categories: {} });
      const [window] = windows.openWindows();
      expect(window?.events).toBe(1_001);
      expect(window?.missing.get('x0')).toBe(1);
      expect(window?.missing.get('x1')).toBe(1);
      expect(window?.missing.get('c0')).toBe(1);
      const series = window?.features[0];
      expect(series?.kind === 'numeric' ? series.values.size : -1).toBe(100);
      expect(windows.byteLength).toBeLessThan(4 * 100 * 8 + 1_000);
    });
  });

  describe('by event count', () => {
    it('should close each window at exactly the configured number of events', () => {
      const windows = new TumblingWindows(
        prepared,
        { kind: 'count', events: 3 },
        { closedThrough: 0, nextIndex: 4 },
      );
      const closed = observations(5, 7, 100, { numericFeatures: 2 }).flatMap((o) => {
        windows.add(o);
        return windows.takeClosable();
      });
      expect(closed.map((w) => [w.index, w.events])).toEqual([
        [4, 3],
        [5, 3],
      ]);
      expect(closed[0]?.bounds()).toEqual({ start: 100, end: 103, index: 4 });
      expect(windows.progress().nextIndex).toBe(6);
    });

    it('should keep each window at the configured count when a whole batch is added before closing', () => {
      const windows = new TumblingWindows(
        prepared,
        { kind: 'count', events: 25 },
        { closedThrough: 0, nextIndex: 2 },
      );
      for (const o of observations(5, 60, 100, { numericFeatures: 2 })) windows.add(o);
      const closed = windows.takeClosable();
      expect(closed.map((w) => [w.index, w.events])).toEqual([
        [2, 25],
        [3, 25],
      ]);
      expect(windows.openWindows().map((w) => [w.index, w.events])).toEqual([[4, 10]]);
      expect(windows.progress().nextIndex).toBe(4);
      expect(windows.takeClosable()).toEqual([]);
    });
  });
});
