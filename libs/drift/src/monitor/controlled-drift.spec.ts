/**
 * The controlled test of issue 7: a 0.5-standard-deviation shift in one feature is alerted within
 * k windows; with no shift, over 100 seeded independent windows, the number of windows breaching
 * the rule stays within the binomial 99th percentile implied by the gate, and no alert fires.
 */
import { advanceAlerts, DEFAULT_HYSTERESIS, INITIAL_ALERT_STATE, type AlertState } from './alert-hysteresis';
import { DEFAULT_DRIFT_RULE } from './drift-rule';
import { prepareReferences } from './references';
import { observations, references } from './test-streams';
import { TumblingWindows } from './tumbling-windows';
import { evaluateWindow, type WindowEvaluation } from './window-evaluation';

const FEATURES = 5;
const WINDOW_EVENTS = 1_000;
const STREAM = { numericFeatures: FEATURES, withCategory: true } as const;
const { references: refs, featureOrder } = references(2024, 20_000, 2_000, STREAM);
const prepared = prepareReferences(refs, featureOrder, 20_000);

function evaluate(seed: number, shift: Record<number, number>): WindowEvaluation {
  const windows = new TumblingWindows(prepared, { kind: 'count', events: WINDOW_EVENTS });
  for (const o of observations(seed, WINDOW_EVENTS, 0, { ...STREAM, shift })) windows.add(o);
  const [window] = windows.takeClosable();
  if (!window) throw new Error('window did not close');
  return evaluateWindow(window, DEFAULT_DRIFT_RULE);
}

/** Smallest x with P(Binomial(n, p) <= x) >= q. */
function binomialQuantile(n: number, p: number, q: number): number {
  let cdf = 0;
  let pmf = (1 - p) ** n;
  for (let x = 0; x <= n; x++) {
    cdf += pmf;
    if (cdf >= q) return x;
    pmf *= ((n - x) / (x + 1)) * (p / (1 - p));
  }
  return n;
}

describe('drift rule and hysteresis on controlled streams', () => {
  it(`should alert a 0.5 sd shift in one feature within k = ${DEFAULT_HYSTERESIS.startAfter} windows`, () => {
    let state: AlertState = INITIAL_ALERT_STATE;
    const started: string[] = [];
    let windowsUntilAlert = 0;
    for (let w = 0; w < DEFAULT_HYSTERESIS.startAfter && started.length === 0; w++) {
      const evaluation = evaluate(10_000 + w, { 2: 0.5 });
      expect(evaluation.driftedFeatures).toEqual(['x2']);
      const x2 = evaluation.features.find((f) => f.feature === 'x2');
      expect(x2?.ksStatistic).toBeGreaterThan(0.15);
      const step = advanceAlerts(state, evaluation);
      state = step.state;
      started.push(...step.alerts.filter((a) => a.status === 'STARTED').map((a) => a.feature));
      windowsUntilAlert = w + 1;
    }
    expect(started).toEqual(['x2']);
    expect(windowsUntilAlert).toBeLessThanOrEqual(DEFAULT_HYSTERESIS.startAfter);
  });

  it('should keep rule breaches of 100 unshifted windows within the binomial 99th percentile and raise no alert', () => {
    // Under no shift a breach needs the corrected KS p-value below the gate; BH (= Simes under the
    // global null, independent features) bounds a window's chance of any such rejection by alpha.
    const limit = binomialQuantile(100, DEFAULT_DRIFT_RULE.pValueThreshold, 0.99);
    let state: AlertState = INITIAL_ALERT_STATE;
    let breaches = 0;
    let gateRejections = 0;
    let alerts = 0;
    let triggers = 0;
    for (let w = 0; w < 100; w++) {
      const evaluation = evaluate(50_000 + w, {});
      if (evaluation.driftedFeatures.length > 0) breaches++;
      const gate = DEFAULT_DRIFT_RULE.pValueThreshold;
      if (evaluation.features.some((f) => f.ksPValueAdjusted !== null && f.ksPValueAdjusted < gate))
        gateRejections++;
      const step = advanceAlerts(state, evaluation);
      state = step.state;
      alerts += step.alerts.length;
      if (step.trigger) triggers++;
    }
    expect(limit).toBe(11);
    expect(gateRejections).toBeLessThanOrEqual(limit);
    expect(breaches).toBeLessThanOrEqual(gateRejections);
    expect(alerts).toBe(0);
    expect(triggers).toBe(0);
  }, 60_000);

  it('should judge nothing below the minimum window size and say why', () => {
    const windows = new TumblingWindows(prepared, { kind: 'count', events: 50 });
    for (const o of observations(7, 50, 0, { ...STREAM, shift: { 0: 3 } })) windows.add(o);
    const [window] = windows.takeClosable();
    const evaluation = evaluateWindow(window!, DEFAULT_DRIFT_RULE);
    expect(evaluation.judged).toBe(false);
    expect(evaluation.reason).toContain('fewer than the minimum 100');
    expect(evaluation.driftedFeatures).toEqual([]);
    expect(evaluation.features[0]?.psi).toBeGreaterThan(1);
  });

  it('should flag a categorical feature on PSI alone and report its unseen bin', () => {
    const windows = new TumblingWindows(prepared, { kind: 'count', events: 500 });
    for (const o of observations(8, 500, 0, STREAM)) windows.add({ ...o, categories: { c0: 'new' } });
    const evaluation = evaluateWindow(windows.takeClosable()[0]!, DEFAULT_DRIFT_RULE);
    const c0 = evaluation.features.find((f) => f.feature === 'c0');
    expect(c0?.drifting).toBe(true);
    expect(c0?.ksStatistic).toBeNull();
    expect(c0?.histogram.at(-1)).toEqual({ label: '(unseen)', reference: 0, current: 1 });
  });
});
