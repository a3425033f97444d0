import type { Admin } from 'kafkajs';
import { consumerGroupLag } from './kafka-readiness';

/** An Admin that answers the two calls consumerGroupLag makes, for one topic. */
function adminWith(
  partitions: readonly { partition: number; low: number; high: number; committed: number }[],
): Admin {
  const admin = {
    fetchOffsets: () =>
      Promise.resolve([
        {
          topic: 't',
          partitions: partitions.map((p) => ({ partition: p.partition, offset: String(p.committed) })),
        },
      ]),
    fetchTopicOffsets: () =>
      Promise.resolve(
        partitions.map((p) => ({
          partition: p.partition,
          low: String(p.low),
          high: String(p.high),
          offset: String(p.high),
        })),
      ),
  };
  return admin as unknown as Admin;
}

describe('consumerGroupLag', () => {
  it('should count from the log start when nothing was committed, else from the committed offset', async () => {
    const admin = adminWith([
      { partition: 0, low: 10, high: 100, committed: -1 },
      { partition: 1, low: 0, high: 50, committed: 20 },
    ]);
    expect(await consumerGroupLag(admin, 'g', ['t'])).toEqual(new Map([['t', 90 + 30]]));
  });

  it('should count a position reached past the committed offset (a commit marker no batch delivers) as read', async () => {
    const admin = adminWith([
      { partition: 0, low: 0, high: 100, committed: 99 },
      { partition: 1, low: 0, high: 50, committed: 20 },
    ]);
    const positions = new Map([
      ['t:0', 100],
      ['t:1', 10],
    ]);
    // Partition 0 is drained (its last offset is a marker); partition 1's older position does not count.
    expect(await consumerGroupLag(admin, 'g', ['t'], positions)).toEqual(new Map([['t', 0 + 30]]));
  });
});
