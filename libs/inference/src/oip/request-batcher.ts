import type { Scorer } from '../score-group';

/** What the batcher runs on: a model version's key in the scoring pool (ServedVersion has one). */
export interface BatchTarget {
  readonly key: string;
}

/** How busy the scoring pool is (the ScoringPool): absent, every worker counts as idle. */
export interface WorkerAvailability {
  /** Workers in the pool. */
  readonly size: number;
  /** Workers with no request pending now. */
  idleWorkers(): number;
}

/** The clock and timers (injected by unit specs). */
export interface BatcherTimers {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** One dispatched batch: one ONNX Runtime run. */
export interface DispatchedBatch<T extends BatchTarget> {
  readonly target: T;
  readonly requests: number;
  readonly rows: number;
  /** How long its oldest request waited in the queue. */
  readonly waitedMs: number;
  readonly reason: DispatchReason;
}

/** Why a batch left its queue: full (maxBatchRows), delay (maxQueueDelayMs), idle (a worker is free). */
export type DispatchReason = 'full' | 'delay' | 'idle';

export interface RequestBatcherOptions<T extends BatchTarget> {
  readonly scorer: Scorer;
  readonly availability?: WorkerAvailability | undefined;
  /** Rows one run takes at most; a request with more rows runs alone. */
  readonly maxBatchRows: number;
  /** How long the oldest request of a queue waits at most for others to join it (0: never). */
  readonly maxQueueDelayMs: number;
  readonly timers?: BatcherTimers;
  readonly onBatch?: (batch: DispatchedBatch<T>) => void;
}

/** A request's scores and the run they came from. */
export interface ScoredRequest {
  /** One score per row of the request. */
  readonly scores: Float32Array;
  /** ONNX Runtime's run of the whole batch the request went into, ms. */
  readonly runMs: number;
}

interface Waiting {
  readonly tensor: Float32Array;
  readonly rows: number;
  readonly enqueuedAt: number;
  resolve(scored: ScoredRequest): void;
  reject(error: unknown): void;
}

interface Queue<T> {
  readonly id: string;
  readonly target: T;
  readonly width: number;
  requests: Waiting[];
  rows: number;
  timer: unknown;
}

const REAL_TIMERS: BatcherTimers = {
  now: () => performance.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

/**
 * Triton-style dynamic batching of inference requests: concurrent requests for the same model
 * version (and row width) wait in one queue and leave it together as one ONNX Runtime run, their
 * rows concatenated in arrival order. A queue is dispatched (a) when its rows reach maxBatchRows
 * (a request that would take it past the maximum sends what waits first; a request larger than
 * the maximum runs alone), (b) when its oldest request has waited maxQueueDelayMs, or (c) at once
 * whenever a scoring worker is idle: a request never waits while a worker could run it. When one
 * of its runs ends, the oldest queues are dispatched while workers are idle. Each request gets its
 * own rows' scores, in order; a failing run rejects every request of its batch with the error.
 */
export class RequestBatcher<T extends BatchTarget = BatchTarget> {
  private readonly queues = new Map<string, Queue<T>>();
  private readonly timers: BatcherTimers;
  /** This batcher's runs not ended yet (the pool may not count them as pending yet: its score() awaits first). */
  private running = 0;
  private counts = { runs: 0, requests: 0, rows: 0 };

  constructor(private readonly options: RequestBatcherOptions<T>) {
    if (!Number.isSafeInteger(options.maxBatchRows) || options.maxBatchRows < 1)
      throw new RangeError(`maxBatchRows must be a positive integer, not ${options.maxBatchRows}`);
    if (!(options.maxQueueDelayMs >= 0))
      throw new RangeError(`maxQueueDelayMs must be at least 0, not ${options.maxQueueDelayMs}`);
    this.timers = options.timers ?? REAL_TIMERS;
  }

  /** Runs and requests so far (requests / runs is the mean batch). */
  get stats(): { readonly runs: number; readonly requests: number; readonly rows: number } {
    return { ...this.counts };
  }

  /** Requests waiting in a queue now. */
  get waiting(): number {
    let count = 0;
    for (const queue of this.queues.values()) count += queue.requests.length;
    return count;
  }

  /** The scores of this request's rows (one per row), from the run its batch went into. */
  async submit(target: T, tensor: Float32Array, rows: number): Promise<Float32Array> {
    return (await this.submitTimed(target, tensor, rows)).scores;
  }

  /** As submit, with the run's time (a Prediction's timings carry it). */
  submitTimed(target: T, tensor: Float32Array, rows: number): Promise<ScoredRequest> {
    if (!Number.isSafeInteger(rows) || rows < 1 || tensor.length % rows !== 0)
      return Promise.reject(new RangeError(`a tensor of ${tensor.length} values is not ${rows} rows`));
    const width = tensor.length / rows;
    return new Promise<ScoredRequest>((resolve, reject) => {
      const { maxBatchRows, maxQueueDelayMs } = this.options;
      let queue = this.queueOf(target, width);
      // (a) It cannot join what waits without passing the maximum: that leaves first, in order.
      if (queue.rows > 0 && queue.rows + rows > maxBatchRows) {
        this.dispatch(queue, 'full');
        queue = this.queueOf(target, width);
      }
      queue.requests.push({ tensor, rows, enqueuedAt: this.timers.now(), resolve, reject });
      queue.rows += rows;
      if (queue.rows >= maxBatchRows) this.dispatch(queue, 'full');
      // (c) Never wait while a worker is idle (nor at all with no delay allowed).
      else if (maxQueueDelayMs === 0 || this.idle() > 0) this.dispatch(queue, 'idle');
      // (b) Its oldest request waits maxQueueDelayMs at most.
      else if (queue.timer === undefined)
        queue.timer = this.timers.setTimeout(() => {
          queue.timer = undefined;
          this.dispatch(queue, 'delay');
        }, maxQueueDelayMs);
    });
  }

  private queueOf(target: T, width: number): Queue<T> {
    const id = `${target.key}\u0000${width}`;
    let queue = this.queues.get(id);
    if (!queue) {
      queue = { id, target, width, requests: [], rows: 0, timer: undefined };
      this.queues.set(id, queue);
    }
    return queue;
  }

  /** Idle workers, counting this batcher's own runs as busy until they end. */
  private idle(): number {
    const { availability } = this.options;
    if (!availability) return Number.POSITIVE_INFINITY;
    return Math.min(availability.idleWorkers(), availability.size - this.running);
  }

  private dispatch(queue: Queue<T>, reason: DispatchReason): void {
    if (queue.timer !== undefined) {
      this.timers.clearTimeout(queue.timer);
      queue.timer = undefined;
    }
    const batch = queue.requests;
    const rows = queue.rows;
    queue.requests = [];
    queue.rows = 0;
    // Empty queues go: a queue exists only while a request waits, so the map's order is oldest first.
    if (this.queues.get(queue.id) === queue) this.queues.delete(queue.id);
    const [oldest] = batch;
    if (!oldest) return;
    this.counts = {
      runs: this.counts.runs + 1,
      requests: this.counts.requests + batch.length,
      rows: this.counts.rows + rows,
    };
    this.running += 1;
    // The run starts before the hook is told: a hook that throws cannot strand the batch.
    void this.run(queue, batch, rows);
    this.options.onBatch?.({
      target: queue.target,
      requests: batch.length,
      rows,
      waitedMs: this.timers.now() - oldest.enqueuedAt,
      reason,
    });
  }

  private async run(queue: Queue<T>, batch: readonly Waiting[], rows: number): Promise<void> {
    try {
      const { scores, runMs } = await this.options.scorer.score(
        queue.target.key,
        concatenate(batch, queue.width, rows),
        rows,
      );
      if (scores.length !== rows)
        throw new RangeError(
          `${queue.target.key}: the run returned ${scores.length} scores for ${rows} rows`,
        );
      let offset = 0;
      for (const request of batch) {
        request.resolve({ scores: scores.slice(offset, offset + request.rows), runMs });
        offset += request.rows;
      }
    } catch (error) {
      for (const request of batch) request.reject(error);
    } finally {
      this.running -= 1;
      this.dispatchWhileIdle();
    }
  }

  /** A run ended: the oldest queues go while workers are idle. */
  private dispatchWhileIdle(): void {
    for (const queue of [...this.queues.values()]) {
      if (this.idle() <= 0) return;
      this.dispatch(queue, 'idle');
    }
  }
}

/** The batch's rows in one tensor; a lone request's own tensor is run as it is (the pool may move it). */
function concatenate(batch: readonly Waiting[], width: number, rows: number): Float32Array {
  const [only] = batch;
  if (batch.length === 1 && only) return only.tensor;
  const tensor = new Float32Array(rows * width);
  let offset = 0;
  for (const request of batch) {
    tensor.set(request.tensor, offset);
    offset += request.tensor.length;
  }
  return tensor;
}
