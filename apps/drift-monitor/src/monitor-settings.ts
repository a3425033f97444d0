import type { DriftRule, HysteresisPolicy, WindowSpec } from '@streamscore/drift';
import { DEFAULT_DRIFT_RULE } from '@streamscore/drift';
import type { DriftMonitorConfig } from './config';

export interface MonitorSettings {
  readonly spec: WindowSpec;
  readonly rule: DriftRule;
  readonly policy: HysteresisPolicy;
  readonly valuesPerFeature: number;
}

export function monitorSettings(config: DriftMonitorConfig): MonitorSettings {
  return {
    spec:
      config.STREAMSCORE_DRIFT_WINDOW === 'time'
        ? {
            kind: 'time',
            sizeMs: config.STREAMSCORE_DRIFT_WINDOW_MS,
            allowedLatenessMs: config.STREAMSCORE_DRIFT_ALLOWED_LATENESS_MS,
          }
        : { kind: 'count', events: config.STREAMSCORE_DRIFT_WINDOW_EVENTS },
    rule: {
      ...DEFAULT_DRIFT_RULE,
      psiThreshold: config.STREAMSCORE_DRIFT_PSI_THRESHOLD,
      ksStatisticThreshold: config.STREAMSCORE_DRIFT_KS_THRESHOLD,
      pValueThreshold: config.STREAMSCORE_DRIFT_PVALUE_THRESHOLD,
      correction: config.STREAMSCORE_DRIFT_CORRECTION,
      datasetDriftShare: config.STREAMSCORE_DRIFT_DATASET_SHARE,
      minWindowEvents: config.STREAMSCORE_DRIFT_MIN_WINDOW_EVENTS,
    },
    policy: {
      startAfter: config.STREAMSCORE_DRIFT_ALERT_AFTER,
      resolveAfter: config.STREAMSCORE_DRIFT_RESOLVE_AFTER,
      triggerAfter: config.STREAMSCORE_DRIFT_TRIGGER_AFTER,
      cooldownWindows: config.STREAMSCORE_DRIFT_COOLDOWN_WINDOWS,
    },
    valuesPerFeature: config.STREAMSCORE_DRIFT_VALUES_PER_FEATURE,
  };
}
