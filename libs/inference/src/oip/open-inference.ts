import { randomUUID } from 'node:crypto';
import { isRetriable } from '@streamscore/contracts';
import type { Scorer } from '../score-group';
import { ModelRunError } from '../scoring/scoring-pool';
import { versionsOf, type Serving, type ServedVersion } from '../serving/serving';
import { parseInferenceRequest } from './infer-request';
import { buildInferenceResponse, checkOutputReturnable } from './infer-response';
import { modelMetadata, signatureOf } from './model-signature';
import { OipError } from './oip-error';
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
  /** The scoring pool the stream scores with. */
  readonly scorer: Scorer;
  /** Ids for requests that give none. */
  readonly newId?: () => string;
}

/**
 * The Open Inference Protocol v2 over the stream's serving: the model is the pipeline's, its
 * versions are those loaded now (active, canary, shadow), a path without a version means the
 * active one, and each inference request is one run in the scoring pool, holding its version so a
 * deployment change cannot unload it mid-run. Health is the service's own (/health/ready), so it
 * is not here. Errors are OipError (status and message for `{"error": …}`).
 */
export class OpenInferenceServer {
  private readonly newId: () => string;

  constructor(private readonly options: OpenInferenceOptions) {
    this.newId = options.newId ?? randomUUID;
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
    this.checkModel(model);
    const { serving, release } = this.hold();
    try {
      const served = pickVersion(serving, version);
      const signature = signatureOf(served.manifest);
      checkOutputReturnable(signature);
      const request = parseInferenceRequest(body, signature);
      const scores = await this.run(served, request.tensor, request.rows);
      return buildInferenceResponse({
        model,
        version: served.version,
        id: request.id ?? this.newId(),
        signature,
        outputs: request.outputs,
        rows: request.rows,
        scores,
      });
    } finally {
      release();
    }
  }

  private async run(served: ServedVersion, tensor: Float32Array, rows: number): Promise<Float32Array> {
    try {
      return (await this.options.scorer.score(served.key, tensor, rows)).scores;
    } catch (error) {
      // The runtime refused this tensor (deterministic for the input): the request's fault, as in the stream.
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

/** Versions a path may name, active first, each once. */
function loadedVersions(serving: Serving): string[] {
  return [...new Set(versionsOf(serving).map((v) => v.version))];
}
