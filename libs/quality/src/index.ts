export { normalCdf, normalSf, normalQuantile } from './distributions/normal';
export { studentTCdf } from './distributions/student-t';
export { midranks } from './metrics/midranks';
export { rocAuc } from './metrics/roc-auc';
export type { RocAuc } from './metrics/roc-auc';
export { binaryLogLossTerm, multiclassLogLossTerm, multiclassLogLoss } from './metrics/log-loss';
export { calibration, calibrationBinIndex, CALIBRATION_BINS } from './metrics/calibration';
export type { Calibration, CalibrationBin } from './metrics/calibration';
export { binaryLogLoss, brierScore, binaryWindowMetrics } from './metrics/binary-window-metrics';
export type { BinaryWindowMetrics } from './metrics/binary-window-metrics';
export { regressionWindowMetrics } from './metrics/regression-metrics';
export type { RegressionWindowMetrics } from './metrics/regression-metrics';
export { delongAucInterval, delongPairedDifference, delongUnpairedDifference } from './delong/delong';
export type { AucDifference, AucInterval, LabelledScores, Undefined } from './delong/delong';
export { addValues, mergeMoments, sampleVariance, NO_MOMENTS } from './sequential/moments';
export type { Moments } from './sequential/moments';
export {
  logMixtureLikelihoodRatio,
  mixturePValue,
  confidenceSequenceHalfWidth,
} from './sequential/mixture-sprt';
export {
  DEFAULT_CANARY_RULE,
  mixtureVariance,
  minimumSampleVariance,
  maximumSampleVariance,
  plannedCandidateEvents,
} from './sequential/canary-design';
export type { CanaryRule } from './sequential/canary-design';
export { guardrailBreaches, DEFAULT_GUARDRAILS } from './sequential/guardrails';
export type { GuardrailBreach, GuardrailLimits, ServiceHealth } from './sequential/guardrails';
export {
  startCanary,
  observePaired,
  observeTwoSample,
  lookAtCanary,
  pairedLogLossDifferences,
  binaryLogLossTerms,
} from './sequential/canary-rule';
export type { CanaryAction, CanaryDecision, CanaryReason, CanaryState } from './sequential/canary-rule';
