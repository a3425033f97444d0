/**
 * Turns a window's evaluation and hysteresis step into the records the monitor publishes
 * (DriftReport, DriftAlert, RetrainingTrigger). Ids are derived from the window, so a record
 * describes one window of one model version, never two.
 */
import type {
  DriftAlert,
  DriftReport,
  DriftWindow,
  FeatureDrift,
  FeatureStatistics,
  RetrainingTrigger,
} from '@streamscore/contracts';
import type {
  AlertState,
  DriftRule,
  FeatureEvaluation,
  HysteresisPolicy,
  HysteresisStep,
  WindowEvaluation,
  WindowSpec,
} from '@streamscore/drift';

export interface ModelVersionKey {
  readonly modelName: string;
  readonly modelVersion: string;
}

export interface WindowOutputs {
  readonly report: DriftReport;
  readonly alerts: readonly DriftAlert[];
  readonly trigger: RetrainingTrigger | null;
}

function featureDrift(f: FeatureEvaluation, missing: number): FeatureDrift {
  return {
    feature: f.feature,
    kind: f.kind === 'numeric' ? 'NUMERIC' : 'CATEGORICAL',
    count: f.count,
    missing,
    psi: f.psi,
    ksStatistic: f.ksStatistic,
    ksPValue: f.ksPValue,
    ksPValueAdjusted: f.ksPValueAdjusted,
    ksMethod: f.ksMethod,
    drifting: f.drifting,
    histogram: f.histogram.map((bin) => ({ ...bin })),
  };
}

function statistics(f: FeatureEvaluation): FeatureStatistics {
  return { feature: f.feature, psi: f.psi, ksStatistic: f.ksStatistic, ksPValueAdjusted: f.ksPValueAdjusted };
}

export function reportId(key: ModelVersionKey, window: DriftWindow): string {
  return `${key.modelName}/${key.modelVersion}/${window.kind.toLowerCase()}/${window.index}`;
}

export function buildOutputs(options: {
  readonly key: ModelVersionKey;
  readonly spec: WindowSpec;
  readonly evaluation: WindowEvaluation;
  readonly missing: ReadonlyMap<string, number>;
  readonly step: HysteresisStep;
  readonly rule: DriftRule;
  readonly policy: HysteresisPolicy;
  readonly now: number;
}): WindowOutputs {
  const { key, evaluation, step, rule, policy, now } = options;
  const window: DriftWindow = {
    kind: options.spec.kind === 'time' ? 'TIME' : 'COUNT',
    index: evaluation.window.index,
    start: evaluation.window.start,
    end: evaluation.window.end,
  };
  const id = reportId(key, window);
  const report: DriftReport = {
    reportId: id,
    ...key,
    window,
    events: evaluation.events,
    judged: evaluation.judged,
    reason: evaluation.reason,
    features: evaluation.features.map((f) => featureDrift(f, options.missing.get(f.feature) ?? 0)),
    score: featureDrift(evaluation.score, options.missing.get('score') ?? 0),
    driftedFeatures: [...evaluation.driftedFeatures],
    driftShare: evaluation.driftShare,
    datasetDrift: evaluation.datasetDrift,
    rule: {
      psiThreshold: rule.psiThreshold,
      ksStatisticThreshold: rule.ksStatisticThreshold,
      pValueThreshold: rule.pValueThreshold,
      correction: rule.correction,
      datasetDriftShare: rule.datasetDriftShare,
      minWindowEvents: rule.minWindowEvents,
      ...policy,
    },
    alertState: toAlertStateRecord(step.state),
    evaluatedAt: now,
  };
  const alerts = step.alerts.map((a): DriftAlert => ({
    alertId: `${id}/${a.feature}/${a.status.toLowerCase()}`,
    status: a.status,
    ...key,
    feature: a.feature,
    window,
    consecutiveWindows: a.consecutiveWindows,
    statistics: statistics(a.evaluation),
    reportId: id,
    raisedAt: now,
  }));
  const trigger: RetrainingTrigger | null = step.trigger
    ? {
        triggerId: `${id}/retrain`,
        ...key,
        reason: `dataset drift in ${step.trigger.consecutiveWindows} consecutive windows (${Math.round(
          step.trigger.driftShare * 100,
        )}% of features drifting, threshold ${Math.round(rule.datasetDriftShare * 100)}%)`,
        features: step.trigger.features.map((f) => f.feature),
        statistics: step.trigger.features.map(statistics),
        window,
        consecutiveWindows: step.trigger.consecutiveWindows,
        driftShare: step.trigger.driftShare,
        cooldownWindows: policy.cooldownWindows,
        reportId: id,
        createdAt: now,
      }
    : null;
  return { report, alerts, trigger };
}

export function toAlertStateRecord(state: AlertState): DriftReport['alertState'] {
  return {
    features: state.features.map((f) => ({ ...f })),
    datasetDriftWindows: state.datasetDriftWindows,
    cooldownRemaining: state.cooldownRemaining,
  };
}

export function fromAlertStateRecord(record: DriftReport['alertState']): AlertState {
  return {
    features: record.features.map((f) => ({ ...f })),
    datasetDriftWindows: record.datasetDriftWindows,
    cooldownRemaining: record.cooldownRemaining,
  };
}
