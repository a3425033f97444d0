export * from './feature-view';
export { FeatureViewConfigError, parseFeatureView, parseFeatureViews } from './feature-view-config';
export { entityOf, type FeatureRecord } from './feature-record';
export type { FeatureValues } from './bucket-stats';
export {
  bucketStartOf,
  isCompleteAsOf,
  readCutoffOf,
  windowAsOf,
  type TimeRange,
  type WindowShape,
} from './time-buckets';
export {
  buildOfflineIndex,
  computeOffline,
  computeOfflineRows,
  valuesAt,
  type OfflineIndex,
  type OfflineQuery,
} from './offline';
export { metaKey, slabKey } from './key-layout';
export {
  planReads,
  type FeatureQuery,
  type FeatureReading,
  type ReadCommand,
  type ReadPlan,
} from './read-plan';
export {
  FeatureMaterializer,
  type ApplyOptions,
  type MaterializerOptions,
  type ViewApplyCounts,
} from './materializer';
export { FeatureReader, type FeatureCacheStats, type FeatureReaderOptions, type ReadOptions } from './reader';
export { compileView, type CompiledView } from './compiled-view';
