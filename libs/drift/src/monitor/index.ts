export { ValueReservoir } from './value-reservoir';
export { prepareReferences } from './references';
export type {
  CategoricalReferenceInput,
  DriftReferencesInput,
  NumericReferenceInput,
  PreparedCategoricalReference,
  PreparedNumericReference,
  PreparedReferences,
} from './references';
export { WindowAccumulator, DEFAULT_VALUE_CAPACITY } from './window-accumulator';
export type { Observation, WindowBounds, FeatureSeries } from './window-accumulator';
export { DEFAULT_DRIFT_RULE, numericDrifts, categoricalDrifts } from './drift-rule';
export type { Correction, DriftRule } from './drift-rule';
export { evaluateWindow } from './window-evaluation';
export type { FeatureEvaluation, HistogramBin, WindowEvaluation } from './window-evaluation';
export { advanceAlerts, openAlerts, DEFAULT_HYSTERESIS, INITIAL_ALERT_STATE } from './alert-hysteresis';
export type {
  AlertEvent,
  AlertState,
  FeatureAlertState,
  HysteresisPolicy,
  HysteresisStep,
  TriggerEvent,
} from './alert-hysteresis';
export { TumblingWindows, NO_PROGRESS } from './tumbling-windows';
export type { WindowProgress, WindowSpec } from './tumbling-windows';
