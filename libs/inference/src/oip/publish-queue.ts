/**
 * A bounded FIFO of items that each weigh some records (a request's rows), for a producer that
 * must never hold up its callers: offer() refuses what does not fit instead of waiting, and
 * take() hands out whole items, oldest first, up to a weight per send.
 */
export class PublishQueue<T> {
  private items: { readonly item: T; readonly weight: number }[] = [];
  private held = 0;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer, not ${capacity}`);
  }

  /** Records held. */
  get weight(): number {
    return this.held;
  }

  get isEmpty(): boolean {
    return this.items.length === 0;
  }

  /** Queues the item unless it would take the queue past its capacity. */
  offer(item: T, weight: number): boolean {
    if (!Number.isSafeInteger(weight) || weight < 1)
      throw new RangeError(`an item weighs a positive integer, not ${weight}`);
    if (this.held + weight > this.capacity) return false;
    this.items.push({ item, weight });
    this.held += weight;
    return true;
  }

  /** The oldest items up to maxWeight in all; always the oldest one, however heavy. */
  take(maxWeight: number): { items: T[]; weight: number } {
    let count = 0;
    let weight = 0;
    for (const entry of this.items) {
      if (count > 0 && weight + entry.weight > maxWeight) break;
      count += 1;
      weight += entry.weight;
    }
    const taken = this.items.splice(0, count);
    this.held -= weight;
    return { items: taken.map((entry) => entry.item), weight };
  }

  /** Everything held, emptying the queue. */
  drain(): { items: T[]; weight: number } {
    return this.take(Number.POSITIVE_INFINITY);
  }
}
