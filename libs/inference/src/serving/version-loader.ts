import type { ModelArtifact } from '@streamscore/contracts';
import { artifactFor, verifyArtifact } from '@streamscore/deployments';
import type { FeatureView } from '@streamscore/features';
import {
  FeatureVectorBuilder,
  inputWidth,
  ModelError,
  ModelRepository,
  scoringTensors,
} from '@streamscore/models';
import { onlineViewsOf } from '../features/feature-plan';
import type { ServedVersion } from './serving';
import type { ScoringPool } from '../scoring/scoring-pool';

/** One version of the pipeline's model, as a deployment record names it. */
export interface VersionSource {
  readonly model: string;
  readonly artifact: ModelArtifact;
}

export const WARM_UP_ROWS = 4;

export function versionKey(model: string, version: string): string {
  return `${model}@${version}`;
}

/**
 * Loads a version so it can take traffic: artifact verified (manifest for this model and
 * version, file sha256 equal to the record's and the manifest's), feature views resolved, a
 * session in every scoring worker, and a warm-up batch scored (all-zero rows: every standardized
 * input at its training mean). Any failure throws a ModelError and leaves nothing loaded.
 */
export class VersionLoader {
  constructor(
    private readonly pool: ScoringPool,
    private readonly repositoryRoot: string,
    private readonly views: readonly FeatureView[],
  ) {}

  /** The artifact of the repository's latest version: what serves before any deployment record. */
  async latestArtifact(model: string): Promise<ModelArtifact> {
    const latest = await new ModelRepository(this.repositoryRoot).latestVersion(model);
    return artifactFor(this.repositoryRoot, model, String(latest));
  }

  async load(source: VersionSource): Promise<ServedVersion> {
    const { manifest, onnx } = await verifyArtifact(source.artifact, this.repositoryRoot, source.model);
    const key = versionKey(source.model, source.artifact.version);
    const { input, output } = scoringTensors(manifest);
    let views: FeatureView[];
    try {
      views = onlineViewsOf(manifest, this.views);
    } catch (error) {
      throw new ModelError('MISSING_INPUT_MAPPING', (error as Error).message);
    }
    const loaded = await this.pool.load(key, onnx, manifest);
    try {
      const warm = await this.pool.score(
        key,
        new Float32Array(WARM_UP_ROWS * inputWidth(input)),
        WARM_UP_ROWS,
      );
      if (warm.scores.length !== WARM_UP_ROWS || !warm.scores.every(Number.isFinite))
        throw new ModelError('TENSOR_MISMATCH', `${key}: the warm-up batch gave non-finite scores`);
    } catch (error) {
      await this.pool.unload(key);
      throw error instanceof ModelError
        ? error
        : new ModelError('NOT_ONNX', `${key}: the warm-up batch failed: ${(error as Error).message}`, [], {
            cause: error,
          });
    }
    return {
      key,
      name: source.model,
      version: source.artifact.version,
      manifest,
      builder: new FeatureVectorBuilder(input),
      views,
      decisionThreshold: output.decisionThreshold,
      sha256: source.artifact.sha256.toLowerCase(),
      provider: loaded.provider,
    };
  }

  async unload(version: ServedVersion): Promise<void> {
    await this.pool.unload(version.key);
  }
}
