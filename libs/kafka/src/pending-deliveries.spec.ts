import type { KafkaMessage } from 'kafkajs';
import type { BatchDelivered, PartitionBatch } from './batch-types';
import { PendingDeliveries } from './pending-deliveries';

function batch(partition: number, firstOffset: number): PartitionBatch {
  return {
    topic: 't',
    partition,
    messages: [{ offset: String(firstOffset) } as KafkaMessage],
    heartbeat: () => Promise.resolve(),
  };
}

function delivered(partition: number, firstOffset: number): BatchDelivered {
  return {
    topic: 't',
    partition,
    firstOffset: String(firstOffset),
    rows: 100,
    outputs: 100,
    handleMs: 1,
    deliverMs: 1,
  };
}

describe('PendingDeliveries', () => {
  it('should give each delivered micro-batch its own value while the next one is already handled', () => {
    const pending = new PendingDeliveries<string>();
    pending.handled(batch(0, 0), 'a');
    pending.handled(batch(0, 100), 'b'); // handled ahead, before 'a' is delivered
    pending.handled(batch(1, 0), 'x');
    expect(pending.delivered(delivered(0, 0))).toBe('a');
    expect(pending.delivered(delivered(1, 0))).toBe('x');
    expect(pending.delivered(delivered(0, 100))).toBe('b');
    expect(pending.delivered(delivered(0, 100))).toBeUndefined();
  });

  it('should drop what was handled but never delivered once a later offset is delivered', () => {
    const pending = new PendingDeliveries<string>();
    pending.handled(batch(0, 0), 'fenced'); // its delivery failed; the partition came back later
    pending.handled(batch(0, 0), 'redone');
    pending.handled(batch(0, 1_000), 'later');
    expect(pending.delivered(delivered(0, 0))).toBe('redone');
    pending.handled(batch(0, 2_000), 'ahead');
    expect(pending.delivered(delivered(0, 2_000))).toBe('ahead');
    // 'later' (offset 1,000) was older than a delivered micro-batch: gone, never counted.
    expect(pending.delivered(delivered(0, 1_000))).toBeUndefined();
  });
});
