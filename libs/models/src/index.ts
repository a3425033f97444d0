export type * from './manifest-types';
export { validateManifest, formatIssues, manifestJsonSchema } from './manifest-validation';
export type { ManifestIssue, ManifestValidation } from './manifest-validation';
export { formatManifest } from './manifest-format';
export { ModelError } from './errors';
export type { ModelErrorCode } from './errors';
export { featureWidth, inputWidth, inputColumnNames, fnv1a32, categoryIndexer } from './feature-columns';
export { resolveRawFeatures } from './raw-features';
export type {
  RawColumn,
  RawFeatures,
  RawFeatureSpec,
  OnlineValues,
  RowIssue,
  ResolvedFeatures,
} from './raw-features';
export { FeatureVectorBuilder, encodeFeatures, preprocessNumeric } from './feature-vector';
export type { FeatureVectors } from './feature-vector';
export { sha256Hex, assertOnnxBytes, createSession, checkSessionAgainstManifest } from './model-session';
export { ModelRepository, loadModelDirectory, readManifest, MANIFEST_FILE } from './model-repository';
export type { LoadedModel, LoadOptions } from './model-repository';
export { runScoring, scoreTensor, scoreEvents, scoringTensors } from './scoring';
export type { ScoredBatch, ScoringTensors, TensorScores } from './scoring';
