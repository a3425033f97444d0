import type { BatchDelivered, PartitionBatch } from './batch-types';

/**
 * What a handler learned about a micro-batch (counts, stats), kept until the runner reports the
 * micro-batch delivered, so metrics count only what landed. Keyed by partition and first offset:
 * with overlapDelivery the next micro-batch is handled while the current one is delivered.
 */
export class PendingDeliveries<T> {
  private readonly byPartition = new Map<string, Map<string, T>>();

  /** Called by the handler once the micro-batch is handled. */
  handled(batch: PartitionBatch, value: T): void {
    const key = `${batch.topic}:${batch.partition}`;
    let pending = this.byPartition.get(key);
    if (!pending) this.byPartition.set(key, (pending = new Map<string, T>()));
    pending.set(batch.messages[0]?.offset ?? '', value);
  }

  /** Called from onDelivered: the delivered micro-batch's value, if its handler left one. */
  delivered(info: BatchDelivered): T | undefined {
    const pending = this.byPartition.get(`${info.topic}:${info.partition}`);
    if (!pending) return undefined;
    const value = pending.get(info.firstOffset);
    // Deliveries go in offset order: anything older left here was never delivered (fenced).
    for (const offset of pending.keys())
      if (offset === '' || BigInt(offset) <= BigInt(info.firstOffset)) pending.delete(offset);
    return value;
  }
}
