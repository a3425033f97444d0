import { randomUUID } from 'node:crypto';
import { isRetriable, type ModelRole } from '@streamscore/contracts';
import type { Scorer } from '../score-group';
import { ModelRunError } from '../scoring/scoring-pool';
import { versionsOf, type Serving, type ServedVersion } from '../serving/serving';
import { parseInferenceRequest } from './infer-request';
import { buildInferenceResponse, checkOutputReturnable } from './infer-response';
import type { AnsweredInference } from './inference-predictions';
import { modelMetadata, signatureOf } from './model-signature';
import { OipError } from './oip-error';
import {
  RequestBatcher,
  type BatcherTimers,
  type DispatchedBatch,
  type ScoredRequest,
  type WorkerAvailability,
} from './request-batcher';
import type {
  InferenceResponse,
  ModelMetadataResponse,
  ModelReadyResponse,
  ServerMetadataResponse,
} from './oip-types';

/** What serves now, and a hold on it for one run (the ServingController). */
export interface ServingSource {
  current(): Serving | undefined;
  acquire(): { serving: Serving; release: () => void };
}

export interface OpenInferenceOptions {
  /** `$metadata_server_response`'s name and version. */
  readonly server: { readonly name: string; readonly version: string };
  /** The one model this server serves: the pipeline's. */
  readonly model: string;
  readonly serving: ServingSource;
  /**
   * The scoring pool the stream scores with. With its idle-worker count (the ScoringPool has it),
   * a request never waits while a worker is idle; without, every request runs at once.
   */
  readonly scorer: Scorer & Partial<WorkerAvailability>;
  /** Dynamic batching of concurrent requests (RequestBatcher); defaults below. */
  readonly batching?: BatchingOptions;
  /** Ids for requests that give none. */
  readonly newId?: () => string;
  /** Epoch ms (injected by unit specs). */
  readonly now?: () => number;
}

/** Told of each answered infer request, before its answer goes out: it must only take note. */
export type AnsweredListener = (inference: AnsweredInference) => void;

export interface BatchingOptions {
  /** Rows one run takes at most (a larger request runs alone); default 1000. */
  readonly maxBatchRows?: number;
  /** How long a request waits at most for others to share its run; default 2 ms. */
  readonly maxQueueDelayMs?: number;
  readonly timers?: BatcherTimers;
  /** Each run's batch (for a metric). */
  readonly onBatch?: (batch: DispatchedBatch<ServedVersion>) => void;
}

export const DEFAULT_MAX_BATCH_ROWS = 1_000;
export const DEFAULT_MAX_QUEUE_DELAY_MS = 2;

/**
 * The Open Inference Protocol v2 over the stream's serving: the model is the pipeline's, its
 * versions are those loaded now (active, canary, shadow), a path without a version means the
 * active one, and concurrent inference requests for a version share runs in the scoring pool
 * (RequestBatcher), each holding its version until answered so a deployment change cannot unload
 * it mid-run. Health is the service's own (/health/ready), so it
 * is not here. Errors are OipError (status and message for `{"error": …}`).
 */
export class OpenInferenceServer {
  private readonly newId: () => string;
  private readonly now: () => number;
  private readonly batcher: RequestBatcher<ServedVersion>;
  private readonly listeners: AnsweredListener[] = [];

  constructor(private readonly options: OpenInferenceOptions) {
    this.newId = options.newId ?? randomUUID;
    this.now = options.now ?? Date.now;
    const { scorer, batching = {} } = options;
    this.batcher = new RequestBatcher<ServedVersion>({
      scorer,
      availability: availabilityOf(scorer),
      maxBatchRows: batching.maxBatchRows ?? DEFAULT_MAX_BATCH_ROWS,
      maxQueueDelayMs: batching.maxQueueDelayMs ?? DEFAULT_MAX_QUEUE_DELAY_MS,
      ...(batching.timers ? { timers: batching.timers } : {}),
      ...(batching.onBatch ? { onBatch: batching.onBatch } : {}),
    });
  }

  /** Runs and requests so far: requests / runs is the mean batch. */
  get batchStats(): { readonly runs: number; readonly requests: number; readonly rows: number } {
    return this.batcher.stats;
  }

  /** Adds a listener of answered infer requests (the predictions publisher). */
  onAnswered(listener: AnsweredListener): void {
    this.listeners.push(listener);
  }

  serverMetadata(): ServerMetadataResponse {
    // No extension is implemented (no binary tensor data, no model repository API, no statistics).
    return { name: this.options.server.name, version: this.options.server.version, extensions: [] };
  }

  modelMetadata(model: string, version?: string): ModelMetadataResponse {
    const serving = this.servingOf(model);
    const served = pickVersion(serving, version);
    return modelMetadata(model, loadedVersions(serving), signatureOf(served.manifest));
  }

  /** Ready when the version (the active one by default) is loaded and warmed up: the only way it is served. */
  modelReady(model: string, version?: string): ModelReadyResponse {
    pickVersion(this.servingOf(model), version);
    return { name: model, ready: true };
  }

  async infer(model: string, version: string | undefined, body: unknown): Promise<InferenceResponse> {
    const receivedAtMs = this.now();
    const started = performance.now();
    this.checkModel(model);
    const { serving, release } = this.hold();
    try {
      const served = pickVersion(serving, version);
      const signature = signatureOf(served.manifest);
      checkOutputReturnable(signature);
      const request = parseInferenceRequest(body, signature);
      // The pool moves a lone request's tensor to its worker (transfer list): listeners get a copy.
      const tensor = this.listeners.length > 0 ? request.tensor.slice() : request.tensor;
      const { scores, runMs } = await this.run(served, request.tensor, request.rows);
      const id = request.id ?? this.newId();
      const response = buildInferenceResponse({
        model,
        version: served.version,
        id,
        signature,
        outputs: request.outputs,
        rows: request.rows,
        scores,
      });
      const answered: AnsweredInference = {
        id,
        version: served,
        role: roleOf(serving, served),
        tensor,
        rows: request.rows,
        scores,
        receivedAtMs,
        scoredAtMs: this.now(),
        queueMs: Math.max(0, performance.now() - started - runMs),
        runMs,
      };
      for (const listener of this.listeners) listener(answered);
      return response;
    } finally {
      release();
    }
  }

  private async run(served: ServedVersion, tensor: Float32Array, rows: number): Promise<ScoredRequest> {
    try {
      return await this.batcher.submitTimed(served, tensor, rows);
    } catch (error) {
      // The runtime refused the run's tensor (deterministic for the input): 400, as in the stream,
      // for every request of its batch (requests are validated against the signature first).
      if (error instanceof ModelRunError) throw new OipError(400, error.message);
      // A worker that died or a pool closing: the client may retry.
      if (isRetriable(error)) throw new OipError(503, (error as Error).message);
      throw error;
    }
  }

  private checkModel(model: string): void {
    if (model !== this.options.model)
      throw new OipError(404, `unknown model ${model}: this server serves ${this.options.model}`);
  }

  private servingOf(model: string): Serving {
    this.checkModel(model);
    const serving = this.options.serving.current();
    if (!serving) throw new OipError(503, `no version of ${model} is serving yet`);
    return serving;
  }

  private hold(): { serving: Serving; release: () => void } {
    try {
      return this.options.serving.acquire();
    } catch (error) {
      if (isRetriable(error)) throw new OipError(503, (error as Error).message);
      throw error;
    }
  }
}

function availabilityOf(scorer: Partial<WorkerAvailability>): WorkerAvailability | undefined {
  const { idleWorkers } = scorer;
  if (typeof idleWorkers !== 'function' || typeof scorer.size !== 'number') return undefined;
  return { size: scorer.size, idleWorkers: () => idleWorkers.call(scorer) };
}

/** The active version, or the loaded version the path names; 404 for any other. */
function pickVersion(serving: Serving, version: string | undefined): ServedVersion {
  if (version === undefined) return serving.active;
  const served = versionsOf(serving).find((v) => v.version === version);
  if (!served)
    throw new OipError(
      404,
      `version ${version} of ${serving.active.name} is not loaded (loaded: ${loadedVersions(serving).join(', ')})`,
    );
  return served;
}

/** The slot the version serves in (a version in two slots: the first of active, canary, shadow). */
function roleOf(serving: Serving, served: ServedVersion): ModelRole {
  if (served === serving.active) return 'ACTIVE';
  if (served === serving.canary?.version) return 'CANARY';
  return 'SHADOW';
}

/** Versions a path may name, active first, each once. */
function loadedVersions(serving: Serving): string[] {
  return [...new Set(versionsOf(serving).map((v) => v.version))];
}
