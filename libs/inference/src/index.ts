export { BatchScorer } from './batch-scorer';
export type { BatchScorerOptions, BatchStats, ScoredOutputs, VersionRun } from './batch-scorer';
export { scoreGroup } from './score-group';
export type { GroupResult, Scorer } from './score-group';
export { buildPrediction, usedDefaults, rawValuesOfRow, PredictionFlags } from './prediction-builder';
export type { PredictionInput } from './prediction-builder';
export { predictionRecord } from './prediction-record';
export type { PredictionRecordOptions } from './prediction-record';
export { planFeatureQueries, assembleRows, onlineViewsOf, unionOfViews } from './features/feature-plan';
export { fetchFeatures } from './features/feature-fetch';
export type { FeatureSource } from './features/feature-fetch';
export { FeatureReaderThread } from './features/feature-thread/feature-thread';
export type { FeatureThreadSettings } from './features/feature-thread/feature-thread-protocol';
export { ScoringPool, ModelRunError } from './scoring/scoring-pool';
export type { ScoreResult, ScoringPoolOptions } from './scoring/scoring-pool';
export { resolveExecutionProviders, cudaProviderInstalled } from './scoring/execution-providers';
export { versionsOf, describeServing } from './serving/serving';
export type { Serving, ServedVersion } from './serving/serving';
export { ServingController, desiredFromDeployment } from './serving/serving-controller';
export type { DesiredServing, ServingEvents } from './serving/serving-controller';
export { VersionLoader, versionKey } from './serving/version-loader';
export type { VersionSource } from './serving/version-loader';
export { rowsByRole } from './serving/version-routing';
export type { ServingRole } from './serving/version-routing';
export { VersionSwitches } from './serving/version-switches';
export type { DeliveredAt, VersionSwitch } from './serving/version-switches';
export { OpenInferenceServer } from './oip/open-inference';
export type {
  AnsweredListener,
  BatchingOptions,
  OpenInferenceOptions,
  ServingSource,
} from './oip/open-inference';
export { inferenceRecords, predictionsOf, rowEventId, OIP_ORIGIN } from './oip/inference-predictions';
export type { AnsweredInference } from './oip/inference-predictions';
export { rawFeaturesOfTensor } from './oip/tensor-features';
export { PredictionPublisher, DEFAULT_MAX_SEND_RECORDS } from './oip/prediction-publisher';
export type { DropReason, PredictionPublisherOptions, PublisherEvents } from './oip/prediction-publisher';
export { DEFAULT_MAX_BATCH_ROWS, DEFAULT_MAX_QUEUE_DELAY_MS } from './oip/open-inference';
export { RequestBatcher } from './oip/request-batcher';
export type {
  BatchTarget,
  BatcherTimers,
  DispatchedBatch,
  DispatchReason,
  RequestBatcherOptions,
  ScoredRequest,
  WorkerAvailability,
} from './oip/request-batcher';
export { OipError } from './oip/oip-error';
export { parseInferenceRequest } from './oip/infer-request';
export type { ParsedInferenceRequest } from './oip/infer-request';
export { buildInferenceResponse } from './oip/infer-response';
export { modelMetadata, signatureOf, ONNX_PLATFORM } from './oip/model-signature';
export type { ModelSignature } from './oip/model-signature';
export { TENSOR_DATATYPES } from './oip/oip-types';
export type * from './oip/oip-types';
