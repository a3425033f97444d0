/**
 * A bounded sample of a window's values for the KS test. Values are kept in a Float64Array that
 * grows by doubling up to `capacity`; past that, Vitter's Algorithm R (1985) keeps a uniform random
 * sample of `capacity` values, so memory stays bounded however large the window gets.
 * The generator is seeded, so the same values in the same order give the same sample.
 */
import { mulberry32 } from '../mulberry32';

const INITIAL_CAPACITY = 1_024;

export class ValueReservoir {
  private buffer: Float64Array;
  private length = 0;
  /** Every value offered, kept or not. */
  seen = 0;
  private readonly random: () => number;

  constructor(
    readonly capacity: number,
    seed: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`reservoir capacity must be a positive integer, got ${capacity}`);
    this.buffer = new Float64Array(Math.min(INITIAL_CAPACITY, capacity));
    this.random = mulberry32(seed);
  }

  add(value: number): void {
    this.seen++;
    if (this.length < this.capacity) {
      if (this.length === this.buffer.length) this.grow();
      this.buffer[this.length++] = value;
      return;
    }
    // Algorithm R: the i-th value replaces a random slot with probability capacity / i.
    const slot = Math.floor(this.random() * this.seen);
    if (slot < this.capacity) this.buffer[slot] = value;
  }

  /** The kept values (a view, not a copy). */
  values(): Float64Array {
    return this.buffer.subarray(0, this.length);
  }

  get size(): number {
    return this.length;
  }

  /** Bytes held by the value buffer. */
  get byteLength(): number {
    return this.buffer.byteLength;
  }

  private grow(): void {
    const next = new Float64Array(Math.min(this.buffer.length * 2, this.capacity));
    next.set(this.buffer);
    this.buffer = next;
  }
}
