import { ModelRunError, type ScoreResult } from '../scoring/scoring-pool';
import {
  RequestBatcher,
  type BatcherTimers,
  type DispatchedBatch,
  type RequestBatcherOptions,
} from './request-batcher';

const WIDTH = 3;
const V1 = { key: 'model@1' };
const V2 = { key: 'model@2' };

/** Timers that fire only when the spec advances the clock. */
class ManualTimers implements BatcherTimers {
  private time = 0;
  private nextId = 1;
  private readonly due = new Map<number, { at: number; run: () => void }>();

  now(): number {
    return this.time;
  }

  setTimeout(run: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.due.set(id, { at: this.time + ms, run });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.due.delete(handle as number);
  }

  get pending(): number {
    return this.due.size;
  }

  advance(ms: number): void {
    this.time += ms;
    for (const [id, timer] of [...this.due].sort((a, b) => a[1].at - b[1].at))
      if (timer.at <= this.time) {
        this.due.delete(id);
        timer.run();
      }
  }
}

interface Run {
  readonly key: string;
  readonly rows: number;
  /** The run's tensor, row by row. */
  readonly tensor: number[][];
  /** Answers each row with its first value, the way a model could. */
  succeed(): void;
  answer(scores: number[]): void;
  fail(error: Error): void;
}

/** A scoring pool whose runs end when the spec says, with as many idle workers as the spec says. */
function fakePool(idle = 0, size = 1) {
  const runs: Run[] = [];
  const pool = {
    idle,
    size,
    idleWorkers: () => pool.idle,
    score(key: string, tensor: Float32Array, rows: number): Promise<ScoreResult> {
      return new Promise<ScoreResult>((resolve, reject) => {
        const table = Array.from({ length: rows }, (_, r) =>
          Array.from(tensor.subarray(r * WIDTH, (r + 1) * WIDTH)),
        );
        const answer = (scores: number[]): void => {
          resolve({ scores: Float32Array.from(scores), runMs: 1, totalMs: 1 });
        };
        runs.push({
          key,
          rows,
          tensor: table,
          succeed: () => {
            answer(table.map((row) => row[0] ?? Number.NaN));
          },
          answer,
          fail: reject,
        });
      });
    },
  };
  return { pool, runs };
}

function setUp(options: Partial<RequestBatcherOptions<typeof V1>> & { idle?: number; size?: number } = {}) {
  const { pool, runs } = fakePool(options.idle ?? 0, options.size ?? 1);
  const timers = new ManualTimers();
  const batches: DispatchedBatch<typeof V1>[] = [];
  const batcher = new RequestBatcher<typeof V1>({
    scorer: pool,
    availability: pool,
    maxBatchRows: 100,
    maxQueueDelayMs: 2,
    timers,
    onBatch: (batch) => batches.push(batch),
    ...options,
  });
  return { batcher, pool, runs, timers, batches };
}

/** A request of `rows` rows whose row r starts with first + r. */
function rowsFrom(first: number, rows: number): Float32Array {
  return Float32Array.from(
    { length: rows * WIDTH },
    (_, i) => first + Math.floor(i / WIDTH) + (i % WIDTH) / 10,
  );
}

/** The settled outcome of a submitted request, readable after the microtasks ran. */
function track(promise: Promise<Float32Array>) {
  const outcome: { scores?: number[]; error?: unknown } = {};
  promise.then(
    (scores) => (outcome.scores = Array.from(scores)),
    (error: unknown) => (outcome.error = error),
  );
  return outcome;
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('RequestBatcher', () => {
  it('should merge concurrent requests into one run, rows in arrival order, once the oldest has waited maxQueueDelayMs', async () => {
    const { batcher, runs, timers, batches } = setUp();
    const a = track(batcher.submit(V1, rowsFrom(10, 1), 1));
    timers.advance(1);
    const b = track(batcher.submit(V1, rowsFrom(20, 2), 2));
    const c = track(batcher.submit(V1, rowsFrom(30, 3), 3));
    timers.advance(0.5);
    expect(runs).toHaveLength(0);
    expect(batcher.waiting).toBe(3);
    timers.advance(0.5);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.rows).toBe(6);
    expect(runs[0]?.tensor.map((row) => row[0])).toEqual([10, 20, 21, 30, 31, 32]);
    expect(runs[0]?.tensor[1]).toEqual([20, Math.fround(20.1), Math.fround(20.2)]);
    expect(batches).toEqual([{ target: V1, requests: 3, rows: 6, waitedMs: 2, reason: 'delay' }]);
    runs[0]?.succeed();
    await settle();
    expect([a.scores, b.scores, c.scores]).toEqual([[10], [20, 21], [30, 31, 32]]);
    expect(batcher.stats).toEqual({ runs: 1, requests: 3, rows: 6 });
    expect(timers.pending).toBe(0);
  });

  it('should run a request at once while a worker is idle, never waiting for the delay', async () => {
    const { batcher, runs, timers, batches } = setUp({ idle: 1, maxQueueDelayMs: 1_000 });
    const a = track(batcher.submit(V1, rowsFrom(1, 2), 2));
    expect(runs.map((r) => r.rows)).toEqual([2]);
    expect(batches[0]?.reason).toBe('idle');
    expect(timers.pending).toBe(0);
    runs[0]?.succeed();
    await settle();
    expect(a.scores).toEqual([1, 2]);
  });

  it('should count its own runs as busy before the pool does, and send what waits as soon as a run ends and a worker is idle', async () => {
    // The pool still says idle (its score() registers a run a tick later): the batcher knows better.
    const { batcher, runs, timers, batches } = setUp({ idle: 1, size: 1, maxQueueDelayMs: 1_000 });
    const first = track(batcher.submit(V1, rowsFrom(1, 1), 1));
    const second = track(batcher.submit(V1, rowsFrom(2, 1), 1));
    const third = track(batcher.submit(V1, rowsFrom(3, 1), 1));
    expect(runs).toHaveLength(1);
    expect(batcher.waiting).toBe(2);
    runs[0]?.succeed();
    await settle();
    // The run ended, the worker is idle: the two waiting go together, long before the delay.
    expect(runs.map((r) => r.rows)).toEqual([1, 2]);
    expect(batches.map((b) => [b.requests, b.reason])).toEqual([
      [1, 'idle'],
      [2, 'idle'],
    ]);
    expect(timers.pending).toBe(0);
    runs[1]?.succeed();
    await settle();
    expect([first.scores, second.scores, third.scores]).toEqual([[1], [2], [3]]);
  });

  it('should wait while every worker is busy with other work (the stream), even after its own run ends', async () => {
    const { batcher, pool, runs, timers } = setUp({ idle: 1, size: 2 });
    track(batcher.submit(V1, rowsFrom(1, 1), 1));
    pool.idle = 0;
    track(batcher.submit(V1, rowsFrom(2, 1), 1));
    runs[0]?.succeed();
    await settle();
    expect(runs).toHaveLength(1);
    timers.advance(2);
    expect(runs.map((r) => r.rows)).toEqual([1, 1]);
  });

  it('should dispatch at once when the rows reach maxBatchRows, send what waits first when a request would pass it, and run a larger request alone', async () => {
    const { batcher, runs, batches } = setUp({ maxBatchRows: 4, maxQueueDelayMs: 1_000 });
    const results = [
      track(batcher.submit(V1, rowsFrom(0, 1), 1)),
      track(batcher.submit(V1, rowsFrom(10, 3), 3)),
    ];
    expect(runs.map((r) => r.rows)).toEqual([4]);
    results.push(track(batcher.submit(V1, rowsFrom(20, 3), 3)));
    results.push(track(batcher.submit(V1, rowsFrom(30, 2), 2)));
    // 3 + 2 > 4: the 3 rows went alone, the 2 wait.
    expect(runs.map((r) => r.rows)).toEqual([4, 3]);
    expect(batcher.waiting).toBe(1);
    results.push(track(batcher.submit(V1, rowsFrom(40, 9), 9)));
    // The 9 rows cannot share: what waited goes first, then the 9 alone.
    expect(runs.map((r) => r.rows)).toEqual([4, 3, 2, 9]);
    expect(runs.map((r) => r.tensor[0]?.[0])).toEqual([0, 20, 30, 40]);
    expect(batches.map((b) => b.reason)).toEqual(['full', 'full', 'full', 'full']);
    expect(batcher.waiting).toBe(0);
    for (const run of runs) run.succeed();
    await settle();
    expect(results.map((r) => r.scores)).toEqual([
      [0],
      [10, 11, 12],
      [20, 21, 22],
      [30, 31],
      [40, 41, 42, 43, 44, 45, 46, 47, 48],
    ]);
  });

  it('should give each request exactly its own rows of the run, whatever the scores', async () => {
    const { batcher, runs, timers } = setUp();
    const a = track(batcher.submit(V1, rowsFrom(0, 2), 2));
    const b = track(batcher.submit(V1, rowsFrom(0, 1), 1));
    const c = track(batcher.submit(V1, rowsFrom(0, 3), 3));
    timers.advance(2);
    runs[0]?.answer([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
    await settle();
    expect(a.scores).toEqual([0.1, 0.2].map(Math.fround));
    expect(b.scores).toEqual([0.3].map(Math.fround));
    expect(c.scores).toEqual([0.4, 0.5, 0.6].map(Math.fround));
  });

  it('should reject every request of a failing run with its error, lose none, and keep batching afterwards', async () => {
    const { batcher, runs, timers } = setUp();
    const failed = [1, 2, 3].map((n) => track(batcher.submit(V1, rowsFrom(n, 1), 1)));
    timers.advance(2);
    const later = track(batcher.submit(V1, rowsFrom(9, 1), 1));
    const refused = new ModelRunError('model@1: bad input');
    runs[0]?.fail(refused);
    await settle();
    expect(failed.map((f) => f.error)).toEqual([refused, refused, refused]);
    expect(failed.every((f) => f.scores === undefined)).toBe(true);
    expect(later).toEqual({});
    timers.advance(2);
    runs[1]?.succeed();
    await settle();
    expect(later.scores).toEqual([9]);
    expect(batcher.waiting).toBe(0);
  });

  it('should reject every request when the run returns another number of scores than rows', async () => {
    const { batcher, runs, timers } = setUp();
    const a = track(batcher.submit(V1, rowsFrom(1, 1), 1));
    const b = track(batcher.submit(V1, rowsFrom(2, 1), 1));
    timers.advance(2);
    runs[0]?.answer([0.5]);
    await settle();
    expect(String(a.error)).toBe('RangeError: model@1: the run returned 1 scores for 2 rows');
    expect(b.error).toBe(a.error);
  });

  it('should never merge requests for different versions, and answer batches in the order they left', async () => {
    const { batcher, runs, timers } = setUp();
    const a = track(batcher.submit(V1, rowsFrom(1, 1), 1));
    timers.advance(1);
    const b = track(batcher.submit(V2, rowsFrom(2, 1), 1));
    const c = track(batcher.submit(V1, rowsFrom(3, 1), 1));
    timers.advance(1);
    expect(runs.map((r) => [r.key, r.tensor.map((row) => row[0])])).toEqual([['model@1', [1, 3]]]);
    timers.advance(1);
    expect(runs.map((r) => [r.key, r.tensor.map((row) => row[0])])).toEqual([
      ['model@1', [1, 3]],
      ['model@2', [2]],
    ]);
    runs[1]?.succeed();
    runs[0]?.succeed();
    await settle();
    expect([a.scores, b.scores, c.scores]).toEqual([[1], [2], [3]]);
  });

  it('should send the oldest queue first when a run ends with a worker idle', async () => {
    const { batcher, pool, runs } = setUp({ idle: 1, size: 1, maxQueueDelayMs: 1_000 });
    track(batcher.submit(V1, rowsFrom(1, 1), 1));
    track(batcher.submit(V2, rowsFrom(2, 1), 1));
    track(batcher.submit(V1, rowsFrom(3, 1), 1));
    runs[0]?.succeed();
    await settle();
    // One worker: the first run took it, so the oldest waiting queue (V2's) goes, V1's waits.
    expect(runs.map((r) => r.key)).toEqual(['model@1', 'model@2']);
    pool.idle = 1;
    runs[1]?.succeed();
    await settle();
    expect(runs.map((r) => r.key)).toEqual(['model@1', 'model@2', 'model@1']);
  });

  it('should run every request at once without a delay or without knowing the pool', () => {
    const noDelay = setUp({ maxQueueDelayMs: 0 });
    noDelay.batcher.submit(V1, rowsFrom(1, 1), 1).catch(() => undefined);
    noDelay.batcher.submit(V1, rowsFrom(2, 1), 1).catch(() => undefined);
    expect(noDelay.runs).toHaveLength(2);
    const blind = setUp({ availability: undefined });
    blind.batcher.submit(V1, rowsFrom(1, 1), 1).catch(() => undefined);
    blind.batcher.submit(V1, rowsFrom(2, 1), 1).catch(() => undefined);
    expect(blind.runs).toHaveLength(2);
  });

  it('should refuse a tensor that is not the rows it claims, and bad settings', async () => {
    const { batcher, runs } = setUp();
    await expect(batcher.submit(V1, new Float32Array(5), 2)).rejects.toThrow(RangeError);
    await expect(batcher.submit(V1, new Float32Array(0), 0)).rejects.toThrow(RangeError);
    expect(runs).toHaveLength(0);
    expect(() => setUp({ maxBatchRows: 0 })).toThrow(RangeError);
    expect(() => setUp({ maxQueueDelayMs: -1 })).toThrow(RangeError);
  });
});
