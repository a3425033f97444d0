import { Worker } from 'node:worker_threads';
import { workerEntry } from '@streamscore/platform';
import { RetriableError } from '@streamscore/contracts';
import { ModelError, type ModelErrorCode, type ModelManifest } from '@streamscore/models';
import type { WorkerReply, WorkerRequest, WorkerSessionSettings } from './scoring-protocol';

export interface ScoringPoolOptions extends WorkerSessionSettings {
  readonly workers: number;
  readonly onWorkerExit?: (index: number, reason: string) => void;
}

export interface ScoreResult {
  readonly scores: Float32Array;
  /** Time inside ONNX Runtime's run. */
  readonly runMs: number;
  /** Of runMs, the time the scoring thread waited for a CPU, where the OS tells (Linux). */
  readonly runWaitMs?: number;
  /** Round trip including the queue in front of the worker and the transfers. */
  readonly totalMs: number;
}

export interface LoadResult {
  readonly provider: string;
  readonly note?: string;
}

/**
 * The runtime refused these rows (deterministic): score-group turns them into MODEL_ERROR dead
 * letters. Never `retriable`: a retry would be refused again.
 */
export class ModelRunError extends Error {
  override readonly name = 'ModelRunError';
}

interface Pending {
  resolve(reply: WorkerReply): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  /** Resolves once every registered model is loaded in this worker (after a respawn). */
  ready: Promise<void>;
}

/**
 * A fixed pool of worker threads, each holding an ONNX Runtime session per loaded model version.
 * A score request goes to the worker with the fewest requests pending; its tensor is moved (transfer
 * list), not copied. A worker that dies fails its pending requests with a RetriableError
 * (UNAVAILABLE) and is replaced, reloading every registered version. The one error rule: bad data
 * is never thrown: it becomes a dead-letter output with its code. A retriable error is retried with
 * backoff until it succeeds or the service stops. Any other thrown error is a bug: the service stops
 * loudly, offsets uncommitted.
 */
export class ScoringPool {
  private readonly slots: Slot[] = [];
  private readonly models = new Map<string, { bytes: Uint8Array; manifest: ModelManifest }>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: ScoringPoolOptions) {
    for (let i = 0; i < options.workers; i++) this.slots.push(this.spawn(i));
  }

  get size(): number {
    return this.slots.length;
  }

  /** Workers with no request pending now (the Open Inference batcher never holds requests while one is idle). */
  idleWorkers(): number {
    return this.slots.filter((slot) => slot.pending.size === 0).length;
  }

  /** Loads a version in every worker; on any failure it is unloaded everywhere and the error thrown. */
  async load(key: string, bytes: Uint8Array, manifest: ModelManifest): Promise<LoadResult> {
    const replies = await Promise.allSettled(
      this.slots.map(async (slot) => {
        await slot.ready;
        return this.loadIn(slot, key, bytes, manifest);
      }),
    );
    const failed = replies.find((r) => r.status === 'rejected');
    if (failed) {
      await this.unload(key);
      throw failed.reason;
    }
    this.models.set(key, { bytes, manifest });
    const first = replies[0];
    return first?.status === 'fulfilled' ? first.value : { provider: 'cpu' };
  }

  async unload(key: string): Promise<void> {
    this.models.delete(key);
    await Promise.all(this.slots.map((slot) => this.request(slot, { kind: 'unload', id: 0, key })));
  }

  async score(key: string, tensor: Float32Array, rows: number): Promise<ScoreResult> {
    if (this.closed) throw new RetriableError('scoring pool is closed');
    const slot = this.slots.reduce((best, s) => (s.pending.size < best.pending.size ? s : best));
    const started = performance.now();
    await slot.ready;
    // Only a buffer the tensor owns whole can be moved; anything else is copied once.
    const owned =
      tensor.byteOffset === 0 && tensor.byteLength === tensor.buffer.byteLength ? tensor : tensor.slice();
    const reply = await this.request(slot, { kind: 'score', id: 0, key, tensor: owned, rows }, [
      owned.buffer as ArrayBuffer,
    ]);
    if (!reply.ok) throw new ModelRunError(`${key}: ${reply.error}`);
    if (!reply.scores) throw new ModelRunError(`${key}: worker returned no scores`);
    const totalMs = performance.now() - started;
    const runMs = reply.runMs ?? 0;
    return reply.runWaitMs !== undefined
      ? { scores: reply.scores, runMs, runWaitMs: reply.runWaitMs, totalMs }
      : { scores: reply.scores, runMs, totalMs };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private async loadIn(
    slot: Slot,
    key: string,
    bytes: Uint8Array,
    manifest: ModelManifest,
  ): Promise<LoadResult> {
    const reply = await this.request(slot, { kind: 'load', id: 0, key, bytes, manifest });
    if (!reply.ok) {
      const code = (reply.code ?? 'NOT_ONNX') as ModelErrorCode;
      throw new ModelError(code, reply.error);
    }
    return reply.note === undefined
      ? { provider: reply.provider ?? 'cpu' }
      : { provider: reply.provider ?? 'cpu', note: reply.note };
  }

  private request(slot: Slot, message: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    const id = this.nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ ...message, id }, transfer);
    });
  }

  private spawn(index: number): Slot {
    const { file, execArgv } = workerEntry(__dirname, 'scoring-worker');
    const settings: WorkerSessionSettings = {
      executionProviders: this.options.executionProviders,
      intraOpNumThreads: this.options.intraOpNumThreads,
    };
    const worker = new Worker(file, { workerData: settings, execArgv });
    const slot: Slot = { worker, pending: new Map(), ready: Promise.resolve() };
    worker.on('message', (reply: WorkerReply) => {
      const pending = slot.pending.get(reply.id);
      slot.pending.delete(reply.id);
      pending?.resolve(reply);
    });
    const failAll = (reason: string): void => {
      for (const pending of slot.pending.values())
        pending.reject(new RetriableError(`scoring worker ${index} stopped: ${reason}`));
      slot.pending.clear();
    };
    worker.on('error', (error) => {
      failAll(error.message);
    });
    worker.on('exit', (code) => {
      failAll(`exit code ${code}`);
      if (this.closed) return;
      this.options.onWorkerExit?.(index, `exit code ${code}`);
      this.slots[index] = this.respawn(index);
    });
    return slot;
  }

  private respawn(index: number): Slot {
    const slot = this.spawn(index);
    slot.ready = (async () => {
      for (const [key, model] of this.models) await this.loadIn(slot, key, model.bytes, model.manifest);
    })();
    slot.ready.catch(() => undefined);
    return slot;
  }
}
