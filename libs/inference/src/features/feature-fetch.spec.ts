import type { FeatureQuery, FeatureReading } from '@streamscore/features';
import { fetchFeatures, type FeatureSource } from './feature-fetch';

/** A clock that only moves when told: reads and pauses take exactly the time they are given. */
function fakeClock(): {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  advance: (ms: number) => void;
} {
  let t = 0;
  return {
    now: () => t,
    sleep: (ms) => {
      t += ms;
      return Promise.resolve();
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

const reading = (complete: boolean): FeatureReading => ({
  values: {},
  complete,
  watermarkMs: complete ? 10 : 0,
});
const queries: FeatureQuery[] = [
  { view: 'v', entity: 'a', atMs: 1 },
  { view: 'v', entity: 'b', atMs: 1 },
];

/** A store whose reads take `readMs` each and become complete from read number `completeFrom` on. */
function source(clock: ReturnType<typeof fakeClock>, readMs: number, completeFrom: number) {
  const calls: number[] = [];
  const store: FeatureSource = {
    readBatch: (batch) => {
      calls.push(batch.length);
      clock.advance(readMs);
      return Promise.resolve(batch.map(() => reading(calls.length >= completeFrom)));
    },
  };
  return { store, calls };
}

const options = (clock: ReturnType<typeof fakeClock>, maxWaitMs: number) => ({
  maxWaitMs,
  readDeadlineMs: 5_000,
  heartbeat: () => Promise.resolve(),
  clock,
});

describe('fetchFeatures', () => {
  it('should read once and not wait when every reading is complete', async () => {
    const clock = fakeClock();
    const { store, calls } = source(clock, 30, 1);
    const fetched = await fetchFeatures(store, queries, options(clock, 500));
    expect(calls).toEqual([2]);
    expect(fetched).toMatchObject({ rereads: 0, readMs: 30, waitMs: 0 });
    expect(fetched.readings.every((r) => r.complete)).toBe(true);
  });

  it('should count the wait from the end of a slow first read, and re-read only what was incomplete', async () => {
    const clock = fakeClock();
    // The first read alone takes longer than the whole wait budget; the store is complete at the next.
    const { store, calls } = source(clock, 700, 2);
    const fetched = await fetchFeatures(store, queries, options(clock, 500));
    expect(calls).toEqual([2, 2]);
    expect(fetched.readings.every((r) => r.complete)).toBe(true);
    expect(fetched).toMatchObject({ rereads: 1, readMs: 700 });
    // One 10 ms pause, then the 700 ms re-read.
    expect(fetched.waitMs).toBe(710);
  });

  it('should give up after maxWaitMs of waiting and return the readings as they are', async () => {
    const clock = fakeClock();
    const { store, calls } = source(clock, 5, Number.POSITIVE_INFINITY);
    const fetched = await fetchFeatures(store, queries, options(clock, 100));
    expect(fetched.readings.every((r) => !r.complete)).toBe(true);
    // Pauses of 10, 20, 40 and the 15 ms left of the budget, each followed by a 5 ms re-read.
    expect(calls).toEqual([2, 2, 2, 2, 2]);
    expect(fetched.waitMs).toBe(105);
  });
});
