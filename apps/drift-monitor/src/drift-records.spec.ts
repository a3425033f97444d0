import type { DriftReport } from '@streamscore/contracts';
import {
  DEFAULT_DRIFT_RULE,
  type AlertState,
  type DriftRule,
  type FeatureEvaluation,
  type HysteresisPolicy,
  type HysteresisStep,
  type WindowEvaluation,
} from '@streamscore/drift';
import { buildOutputs, fromAlertStateRecord, reportId, toAlertStateRecord } from './drift-records';

const HOUR = 3_600_000;
const NOW = Date.UTC(2024, 2, 2, 8, 30);
const key = { modelName: 'flight-delay', modelVersion: '7' };

const x1: FeatureEvaluation = {
  feature: 'x1',
  kind: 'numeric',
  count: 180,
  psi: 0.41,
  ksStatistic: 0.27,
  ksPValue: 1e-6,
  ksPValueAdjusted: 3e-6,
  ksMethod: 'exact',
  drifting: true,
  histogram: [
    { label: '< 0', reference: 0.5, current: 0.2 },
    { label: '>= 0', reference: 0.5, current: 0.8 },
  ],
};
const c1: FeatureEvaluation = {
  feature: 'c1',
  kind: 'categorical',
  count: 200,
  psi: 0.01,
  ksStatistic: null,
  ksPValue: null,
  ksPValueAdjusted: null,
  ksMethod: null,
  drifting: false,
  histogram: [
    { label: 'a', reference: 0.5, current: 0.48 },
    { label: '(unseen)', reference: 0, current: 0.02 },
  ],
};
const x2: FeatureEvaluation = { ...x1, feature: 'x2', psi: 0.35, ksStatistic: 0.21, ksPValueAdjusted: 4e-5 };
const score: FeatureEvaluation = { ...x1, feature: 'score', psi: 0.3, ksPValueAdjusted: null };

const evaluation: WindowEvaluation = {
  window: { index: 5, start: 5 * HOUR, end: 6 * HOUR },
  events: 200,
  judged: true,
  reason: null,
  features: [x1, c1, x2],
  score,
  driftedFeatures: ['x1', 'x2'],
  driftShare: 2 / 3,
  datasetDrift: true,
};
const rule: DriftRule = { ...DEFAULT_DRIFT_RULE, datasetDriftShare: 0.6, minWindowEvents: 150 };
const policy: HysteresisPolicy = { startAfter: 2, resolveAfter: 4, triggerAfter: 3, cooldownWindows: 9 };
const after: AlertState = {
  features: [
    { feature: 'x1', driftingWindows: 2, cleanWindows: 0, open: true },
    { feature: 'c1', driftingWindows: 0, cleanWindows: 4, open: false },
  ],
  datasetDriftWindows: 3,
  cooldownRemaining: 9,
};
const quiet: HysteresisStep = { state: after, alerts: [], trigger: null };

function outputs(
  step: HysteresisStep,
  extra: { kind?: 'time' | 'count'; missing?: Map<string, number> } = {},
) {
  return buildOutputs({
    key,
    spec:
      extra.kind === 'count'
        ? { kind: 'count', events: 200 }
        : { kind: 'time', sizeMs: HOUR, allowedLatenessMs: 0 },
    evaluation,
    missing: extra.missing ?? new Map(),
    step,
    rule,
    policy,
    now: NOW,
  });
}

const asDrift = (f: FeatureEvaluation, missing: number) => ({
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
  histogram: f.histogram,
});

describe('reportId', () => {
  it('should name model, version, window kind and index', () => {
    expect(reportId(key, { kind: 'TIME', index: 5, start: 0, end: 1 })).toBe('flight-delay/7/time/5');
    expect(reportId(key, { kind: 'COUNT', index: 12, start: 0, end: 1 })).toBe('flight-delay/7/count/12');
  });
});

describe('buildOutputs', () => {
  it('should report the window with every feature, the score, the rule with the policy, and the alert state after the step', () => {
    const { report, alerts, trigger } = outputs(quiet, {
      missing: new Map([
        ['x2', 20],
        ['score', 3],
      ]),
    });
    const expected: DriftReport = {
      reportId: 'flight-delay/7/time/5',
      modelName: 'flight-delay',
      modelVersion: '7',
      window: { kind: 'TIME', index: 5, start: 5 * HOUR, end: 6 * HOUR },
      events: 200,
      judged: true,
      reason: null,
      features: [asDrift(x1, 0), asDrift(c1, 0), asDrift(x2, 20)] as DriftReport['features'],
      score: asDrift(score, 3) as DriftReport['score'],
      driftedFeatures: ['x1', 'x2'],
      driftShare: 2 / 3,
      datasetDrift: true,
      rule: {
        psiThreshold: 0.2,
        ksStatisticThreshold: 0.1,
        pValueThreshold: 0.05,
        correction: 'benjamini-hochberg',
        datasetDriftShare: 0.6,
        minWindowEvents: 150,
        startAfter: 2,
        resolveAfter: 4,
        triggerAfter: 3,
        cooldownWindows: 9,
      },
      alertState: {
        features: [
          { feature: 'x1', driftingWindows: 2, cleanWindows: 0, open: true },
          { feature: 'c1', driftingWindows: 0, cleanWindows: 4, open: false },
        ],
        datasetDriftWindows: 3,
        cooldownRemaining: 9,
      },
      evaluatedAt: NOW,
    };
    expect(report).toStrictEqual(expected);
    expect(alerts).toEqual([]);
    expect(trigger).toBeNull();
  });

  it('should copy the histograms and the alert state instead of sharing them', () => {
    const { report } = outputs(quiet);
    expect(report.features[0]?.histogram).toEqual(x1.histogram);
    expect(report.features[0]?.histogram).not.toBe(x1.histogram);
    expect(report.features[0]?.histogram[0]).not.toBe(x1.histogram[0]);
    expect(report.alertState.features).not.toBe(after.features);
    expect(report.alertState.features[0]).not.toBe(after.features[0]);
  });

  it('should name a count window COUNT in the report and its id', () => {
    const { report } = outputs(quiet, { kind: 'count' });
    expect(report.reportId).toBe('flight-delay/7/count/5');
    expect(report.window).toEqual({ kind: 'COUNT', index: 5, start: 5 * HOUR, end: 6 * HOUR });
  });

  it('should carry the reason of a window too small to judge', () => {
    const { report } = buildOutputs({
      key,
      spec: { kind: 'time', sizeMs: HOUR, allowedLatenessMs: 0 },
      evaluation: {
        ...evaluation,
        judged: false,
        reason: 'window has 20 events, fewer than the minimum 150',
        datasetDrift: false,
      },
      missing: new Map(),
      step: quiet,
      rule,
      policy,
      now: NOW,
    });
    expect(report.judged).toBe(false);
    expect(report.reason).toBe('window has 20 events, fewer than the minimum 150');
    expect(report.datasetDrift).toBe(false);
  });

  it('should write one alert per hysteresis transition, with an id per report, feature and status', () => {
    const step: HysteresisStep = {
      state: after,
      alerts: [
        { status: 'STARTED', feature: 'x1', consecutiveWindows: 2, evaluation: x1 },
        { status: 'RESOLVED', feature: 'c1', consecutiveWindows: 4, evaluation: c1 },
      ],
      trigger: null,
    };
    const { alerts, trigger } = outputs(step);
    const window = { kind: 'TIME', index: 5, start: 5 * HOUR, end: 6 * HOUR };
    expect(alerts).toStrictEqual([
      {
        alertId: 'flight-delay/7/time/5/x1/started',
        status: 'STARTED',
        modelName: 'flight-delay',
        modelVersion: '7',
        feature: 'x1',
        window,
        consecutiveWindows: 2,
        statistics: { feature: 'x1', psi: 0.41, ksStatistic: 0.27, ksPValueAdjusted: 3e-6 },
        reportId: 'flight-delay/7/time/5',
        raisedAt: NOW,
      },
      {
        alertId: 'flight-delay/7/time/5/c1/resolved',
        status: 'RESOLVED',
        modelName: 'flight-delay',
        modelVersion: '7',
        feature: 'c1',
        window,
        consecutiveWindows: 4,
        statistics: { feature: 'c1', psi: 0.01, ksStatistic: null, ksPValueAdjusted: null },
        reportId: 'flight-delay/7/time/5',
        raisedAt: NOW,
      },
    ]);
    expect(trigger).toBeNull();
  });

  it('should write a retraining trigger naming the drifting features, the share in whole percent and the cool-down', () => {
    const step: HysteresisStep = {
      state: after,
      alerts: [],
      trigger: { features: [x1, x2], consecutiveWindows: 3, driftShare: 2 / 3 },
    };
    const { trigger } = outputs(step);
    expect(trigger).toStrictEqual({
      triggerId: 'flight-delay/7/time/5/retrain',
      modelName: 'flight-delay',
      modelVersion: '7',
      reason: 'dataset drift in 3 consecutive windows (67% of features drifting, threshold 60%)',
      features: ['x1', 'x2'],
      statistics: [
        { feature: 'x1', psi: 0.41, ksStatistic: 0.27, ksPValueAdjusted: 3e-6 },
        { feature: 'x2', psi: 0.35, ksStatistic: 0.21, ksPValueAdjusted: 4e-5 },
      ],
      window: { kind: 'TIME', index: 5, start: 5 * HOUR, end: 6 * HOUR },
      consecutiveWindows: 3,
      driftShare: 2 / 3,
      cooldownWindows: 9,
      reportId: 'flight-delay/7/time/5',
      createdAt: NOW,
    });
  });
});

describe('alert state records', () => {
  it('should round-trip an alert state through its report record, as copies', () => {
    const record = toAlertStateRecord(after);
    expect(record).toStrictEqual({
      features: [
        { feature: 'x1', driftingWindows: 2, cleanWindows: 0, open: true },
        { feature: 'c1', driftingWindows: 0, cleanWindows: 4, open: false },
      ],
      datasetDriftWindows: 3,
      cooldownRemaining: 9,
    });
    const back = fromAlertStateRecord(record);
    expect(back).toStrictEqual(after);
    expect(back.features[0]).not.toBe(record.features[0]);
    record.features[0]!.open = false;
    expect(back.features[0]?.open).toBe(true);
    expect(after.features[0]?.open).toBe(true);
  });
});
