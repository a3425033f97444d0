import { decodeEventTime, encodeEventTime, PartitionEventTimes } from './commit-metadata';
import {
  isCaughtUp,
  NO_PROGRESS_MS,
  upstreamBoundMs,
  type HopPartition,
  type ProgressHop,
} from './upstream-progress';

const INGESTION: ProgressHop = { groupId: 'ingestion', topic: 'events', transactional: false };
const INFERENCE: ProgressHop = { groupId: 'inference', topic: 'events.validated', transactional: true };

function part(partition: number, end: number, committed: number, eventTimeMs?: number): HopPartition {
  return { partition, low: 0, end, committed, eventTimeMs };
}

describe('commit metadata', () => {
  it('should round-trip an event time and ignore metadata it did not write', () => {
    expect(decodeEventTime(encodeEventTime(1_700_000_000_123))).toBe(1_700_000_000_123);
    expect(decodeEventTime(null)).toBeUndefined();
    expect(decodeEventTime('')).toBeUndefined();
    expect(decodeEventTime('consumer-x')).toBeUndefined();
    expect(decodeEventTime('{"v":2,"eventTimeMs":5}')).toBeUndefined();
    expect(decodeEventTime('{broken')).toBeUndefined();
  });

  it("should keep a partition's greatest event time, seeded from its committed metadata", () => {
    const times = new PartitionEventTimes();
    times.seed('t', 0, encodeEventTime(500));
    // A micro-batch of dead letters only keeps what the predecessor committed.
    expect(decodeEventTime(times.advance('t', 0, undefined))).toBe(500);
    expect(decodeEventTime(times.advance('t', 0, 400))).toBe(500);
    expect(decodeEventTime(times.advance('t', 0, 900))).toBe(900);
    // Seeding again (a later fetch) does not lower it.
    times.seed('t', 0, encodeEventTime(100));
    expect(decodeEventTime(times.advance('t', 0, undefined))).toBe(900);
    expect(times.advance('t', 1, undefined)).toBeUndefined();
    times.clear();
    expect(times.advance('t', 0, undefined)).toBeUndefined();
  });
});

describe('upstreamBoundMs', () => {
  it('should be the newest committed event time when every input partition is caught up or empty', () => {
    const partitions = [part(0, 10, 10, 5_000), part(1, 0, -1), part(2, 4, 4, 3_000)];
    expect(upstreamBoundMs([{ hop: INGESTION, partitions }])).toBe(5_000);
    expect(
      upstreamBoundMs([{ hop: INGESTION, partitions: [part(0, 0, -1), part(1, 0, -1)] }]),
    ).toBeUndefined();
  });

  it('should be the least progress of the input partitions with records left', () => {
    const partitions = [part(0, 100, 40, 9_000), part(1, 100, 60, 7_000), part(2, 10, 10, 1_000)];
    expect(upstreamBoundMs([{ hop: INGESTION, partitions }])).toBe(7_000);
  });

  it('should hold at NO_PROGRESS_MS for a partition with records left and no committed progress', () => {
    const partitions = [part(0, 100, 40, 9_000), part(1, 100, -1)];
    expect(upstreamBoundMs([{ hop: INGESTION, partitions }])).toBe(NO_PROGRESS_MS);
  });

  it('should take the least over hops: a lagging farther input bounds every partition of the nearer hop', () => {
    const inference = { hop: INFERENCE, partitions: [part(0, 51, 50, 20_000), part(1, 80, 30, 18_000)] };
    const ingestion = { hop: INGESTION, partitions: [part(0, 100, 90, 15_000), part(1, 5, 5, 2_000)] };
    expect(upstreamBoundMs([inference, ingestion])).toBe(15_000);
    const drained = { hop: INGESTION, partitions: [part(0, 100, 100, 21_000)] };
    expect(upstreamBoundMs([inference, drained])).toBe(18_000);
    // Everything read: new input is no older than the newest ingestion committed.
    const inferenceDone = { hop: INFERENCE, partitions: [part(0, 51, 50, 20_000), part(1, 80, 80, 18_000)] };
    expect(upstreamBoundMs([inferenceDone, drained])).toBe(21_000);
  });

  it('should take a transactional partition committed up to its last commit marker as caught up', () => {
    expect(isCaughtUp(part(0, 51, 50), true)).toBe(true);
    expect(isCaughtUp(part(0, 51, 50), false)).toBe(false);
    expect(isCaughtUp(part(0, 51, 49), true)).toBe(false);
    expect(isCaughtUp({ partition: 0, low: 30, end: 30, committed: -1, eventTimeMs: undefined }, false)).toBe(
      true,
    );
    expect(isCaughtUp({ partition: 0, low: 30, end: 31, committed: -1, eventTimeMs: undefined }, false)).toBe(
      false,
    );
  });
});
