/**
 * Tumbling windows of one model version, by event time or by event count.
 *
 * - time: window i covers [i·size, (i+1)·size) of event time. The watermark is the largest event
 *   time seen minus the allowed lateness; a window closes once the watermark reaches its end.
 *   A record for a window that already closed is late: it is counted and dropped.
 * - count: a window is full at `windowEvents` events, in arrival order, and the next event starts
 *   the next window, however many events arrive before the caller takes the closable ones.
 *
 * `closedThrough` (time) / `nextIndex` (count) say which windows were already reported, e.g. by a
 * previous run of the monitor, so records re-read after a restart are never counted twice.
 */
import { DEFAULT_VALUE_CAPACITY, WindowAccumulator, type Observation } from './window-accumulator';
import type { PreparedReferences } from './references';

export type WindowSpec =
  | { readonly kind: 'time'; readonly sizeMs: number; readonly allowedLatenessMs: number }
  | { readonly kind: 'count'; readonly events: number };

export interface WindowProgress {
  /** time: end (epoch ms) of the last window already reported; -Infinity when none. */
  readonly closedThrough: number;
  /** count: index of the next window to fill. */
  readonly nextIndex: number;
}

export const NO_PROGRESS: WindowProgress = { closedThrough: Number.NEGATIVE_INFINITY, nextIndex: 0 };

export class TumblingWindows {
  private readonly open = new Map<number, WindowAccumulator>();
  private maxEventTime = Number.NEGATIVE_INFINITY;
  private closedThrough: number;
  private nextIndex: number;
  /** count: the window events go to (full windows before it wait for takeClosable). */
  private fillIndex: number;

  constructor(
    readonly references: PreparedReferences,
    readonly spec: WindowSpec,
    progress: WindowProgress = NO_PROGRESS,
    private readonly valueCapacity = DEFAULT_VALUE_CAPACITY,
  ) {
    if (spec.kind === 'time' && !(spec.sizeMs > 0 && spec.allowedLatenessMs >= 0))
      throw new RangeError('time windows need sizeMs > 0 and allowedLatenessMs >= 0');
    if (spec.kind === 'count' && !(Number.isInteger(spec.events) && spec.events > 0))
      throw new RangeError('count windows need a positive integer number of events');
    this.closedThrough = progress.closedThrough;
    this.nextIndex = progress.nextIndex;
    this.fillIndex = progress.nextIndex;
  }

  /** Adds an observation; returns its window, or null when the record is late (dropped). */
  add(observation: Observation): WindowAccumulator | null {
    if (this.spec.kind === 'count') {
      let window = this.open.get(this.fillIndex);
      if (window && window.events >= this.spec.events) {
        this.fillIndex++;
        window = undefined;
      }
      if (!window) {
        window = new WindowAccumulator(this.references, this.fillIndex, undefined, this.valueCapacity);
        this.open.set(this.fillIndex, window);
      }
      window.add(observation);
      return window;
    }
    const { sizeMs } = this.spec;
    const index = Math.floor(observation.eventTime / sizeMs);
    const start = index * sizeMs;
    if (start + sizeMs <= this.closedThrough) return null;
    if (observation.eventTime > this.maxEventTime) this.maxEventTime = observation.eventTime;
    let window = this.open.get(index);
    if (!window) {
      window = new WindowAccumulator(
        this.references,
        index,
        { start, end: start + sizeMs },
        this.valueCapacity,
      );
      this.open.set(index, window);
    }
    window.add(observation);
    return window;
  }

  /**
   * Event time up to which the stream is taken as complete (time windows): the largest event time
   * seen, capped by `inputEventTime` (the input's own progress, e.g. the slowest partition's latest
   * event time, so one partition running ahead cannot close windows the others still feed),
   * minus the allowed lateness.
   */
  watermark(inputEventTime = Number.POSITIVE_INFINITY): number {
    if (this.spec.kind !== 'time') return Number.NaN;
    return Math.min(this.maxEventTime, inputEventTime) - this.spec.allowedLatenessMs;
  }

  /** Removes and returns the windows that are complete, oldest first. */
  takeClosable(inputEventTime = Number.POSITIVE_INFINITY): WindowAccumulator[] {
    const ready: WindowAccumulator[] = [];
    if (this.spec.kind === 'count') {
      for (;;) {
        const window = this.open.get(this.nextIndex);
        if (!window || window.events < this.spec.events) return ready;
        this.open.delete(this.nextIndex);
        this.nextIndex++;
        this.fillIndex = Math.max(this.fillIndex, this.nextIndex);
        ready.push(window);
      }
    }
    const watermark = this.watermark(inputEventTime);
    for (const [index, window] of [...this.open].sort((a, b) => a[0] - b[0])) {
      const end = window.bounds().end;
      if (end > watermark) break;
      this.open.delete(index);
      ready.push(window);
      this.closedThrough = Math.max(this.closedThrough, end);
    }
    return ready;
  }

  openWindows(): WindowAccumulator[] {
    return [...this.open.values()];
  }

  progress(): WindowProgress {
    return { closedThrough: this.closedThrough, nextIndex: this.nextIndex };
  }

  get byteLength(): number {
    let bytes = 0;
    for (const window of this.open.values()) bytes += window.byteLength;
    return bytes;
  }
}
