export type * from './manifest-types';
export { validateManifest, formatIssues, manifestJsonSchema } from './manifest-validation';
export type { ManifestIssue, ManifestValidation } from './manifest-validation';
export { ModelError } from './errors';
export type { ModelErrorCode } from './errors';
export { featureWidth, inputWidth, inputColumnNames, fnv1a32, categoryIndexer } from './feature-columns';
export { resolveRawFeatures } from './raw-features';
export type { RawColumn, RawFeatures, OnlineValues, RowIssue, ResolvedFeatures } from './raw-features';
export { FeatureVectorBuilder, encodeFeatures, preprocessNumeric } from './feature-vector';
export type { FeatureVectors } from './feature-vector';
export { mlpForward, checkMlp, sigmoid } from './mlp';
export type { Mlp, DenseLayer } from './mlp';
export { exportMlp, exportLogisticRegression, logisticAsMlp } from './onnx-export';
export type { OnnxExportOptions, LogisticRegression } from './onnx-export';
export { sha256Hex, assertOnnxBytes, createSession, checkSessionAgainstManifest } from './model-session';
export { ModelRepository, loadModelDirectory, readManifest, MANIFEST_FILE } from './model-repository';
export type { LoadedModel, LoadOptions } from './model-repository';
export { runScoring, scoreTensor, scoreEvents, scoringTensors } from './scoring';
export type { ScoredBatch, ScoringTensors, TensorScores } from './scoring';
export { numericReference, categoricalReference } from './drift-reference';
export { logLoss, rocAuc } from './binary-metrics';
export {
  baseRateMetrics,
  bestSingleFeature,
  singleFeatureScores,
  meanLabel,
  BASELINE_BINS,
} from './baselines';
export type { FeatureBaseline } from './baselines';
export { trainMlp } from './train-mlp';
export type { TrainOptions, TrainingSet } from './train-mlp';
export { gaussian, shuffleInPlace, sampleIndices } from './random';
export { fitFeatures, rawSpecOf } from './fit-preprocessing';
export type { FeatureBlueprint, NumericBlueprint, CategoricalBlueprint } from './fit-preprocessing';
export { buildDriftReferences, DEFAULT_DRIFT_BINS, DEFAULT_SAMPLE_SIZE } from './drift-references';
export { runTraining } from './training-run';
export type { LabelledWindow, TrainingRunOptions, TrainingRunResult } from './training-run';
export type { RawFeatureSpec } from './raw-features';
export { formatManifest } from './manifest-format';
export { readMlpFromOnnx } from './onnx-import';
