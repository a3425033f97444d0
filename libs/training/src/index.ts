export { mlpForward, checkMlp, sigmoid } from './mlp';
export type { Mlp, DenseLayer } from './mlp';
export { trainMlp } from './train-mlp';
export type { TrainOptions, TrainingSet } from './train-mlp';
export { exportMlp, exportLogisticRegression, logisticAsMlp } from './onnx-export';
export type { OnnxExportOptions, LogisticRegression } from './onnx-export';
export { readMlpFromOnnx } from './onnx-import';
export { fitFeatures, rawSpecOf } from './fit-preprocessing';
export type { FeatureBlueprint, NumericBlueprint, CategoricalBlueprint } from './fit-preprocessing';
export { logLoss, rocAuc } from './binary-metrics';
export {
  baseRateMetrics,
  bestSingleFeature,
  singleFeatureScores,
  meanLabel,
  BASELINE_BINS,
} from './baselines';
export type { FeatureBaseline } from './baselines';
export { gaussian, shuffleInPlace, sampleIndices } from './random';
export { numericReference, categoricalReference } from './reference-distribution';
export { buildDriftReferences, DEFAULT_DRIFT_BINS, DEFAULT_SAMPLE_SIZE } from './build-drift-references';
export { runTraining } from './training-run';
export type { LabelledWindow, TrainingRunOptions, TrainingRunResult } from './training-run';
