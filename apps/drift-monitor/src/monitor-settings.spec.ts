import { DEFAULT_DRIFT_RULE } from '@streamscore/drift';
import { loadDriftMonitorConfig } from './config';
import { monitorSettings } from './monitor-settings';

const base = { KAFKA_BROKERS: '127.0.0.1:9092', STREAMSCORE_PIPELINE: 'pipeline.json' };

describe('monitorSettings', () => {
  it('should use day windows, an hour of lateness, and alert/trigger after 3 windows by default', () => {
    expect(monitorSettings(loadDriftMonitorConfig(base))).toStrictEqual({
      spec: { kind: 'time', sizeMs: 86_400_000, allowedLatenessMs: 3_600_000 },
      rule: { ...DEFAULT_DRIFT_RULE, minWindowEvents: 500 },
      policy: { startAfter: 3, resolveAfter: 3, triggerAfter: 3, cooldownWindows: 7 },
      valuesPerFeature: 100_000,
    });
  });

  it('should take every threshold and policy setting from the configuration, keeping the rest of the default rule', () => {
    const settings = monitorSettings(
      loadDriftMonitorConfig({
        ...base,
        STREAMSCORE_DRIFT_WINDOW_MS: '3600000',
        STREAMSCORE_DRIFT_ALLOWED_LATENESS_MS: '0',
        STREAMSCORE_DRIFT_PSI_THRESHOLD: '0.25',
        STREAMSCORE_DRIFT_KS_THRESHOLD: '0.15',
        STREAMSCORE_DRIFT_PVALUE_THRESHOLD: '0.01',
        STREAMSCORE_DRIFT_CORRECTION: 'bonferroni',
        STREAMSCORE_DRIFT_DATASET_SHARE: '0.4',
        STREAMSCORE_DRIFT_MIN_WINDOW_EVENTS: '50',
        STREAMSCORE_DRIFT_ALERT_AFTER: '2',
        STREAMSCORE_DRIFT_RESOLVE_AFTER: '5',
        STREAMSCORE_DRIFT_TRIGGER_AFTER: '4',
        STREAMSCORE_DRIFT_COOLDOWN_WINDOWS: '0',
        STREAMSCORE_DRIFT_VALUES_PER_FEATURE: '1000',
      }),
    );
    expect(settings).toStrictEqual({
      spec: { kind: 'time', sizeMs: 3_600_000, allowedLatenessMs: 0 },
      rule: {
        psiThreshold: 0.25,
        ksStatisticThreshold: 0.15,
        pValueThreshold: 0.01,
        correction: 'bonferroni',
        datasetDriftShare: 0.4,
        minWindowEvents: 50,
        smoothing: DEFAULT_DRIFT_RULE.smoothing,
        ksMethod: DEFAULT_DRIFT_RULE.ksMethod,
        ksAsympBelow: DEFAULT_DRIFT_RULE.ksAsympBelow,
      },
      policy: { startAfter: 2, resolveAfter: 5, triggerAfter: 4, cooldownWindows: 0 },
      valuesPerFeature: 1_000,
    });
  });

  it('should count events per window, ignoring the time settings, when the window is count', () => {
    const settings = monitorSettings(
      loadDriftMonitorConfig({
        ...base,
        STREAMSCORE_DRIFT_WINDOW: 'count',
        STREAMSCORE_DRIFT_WINDOW_EVENTS: '2500',
        STREAMSCORE_DRIFT_WINDOW_MS: '60000',
      }),
    );
    expect(settings.spec).toStrictEqual({ kind: 'count', events: 2_500 });
  });
});
