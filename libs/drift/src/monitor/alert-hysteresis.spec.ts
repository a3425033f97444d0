import { advanceAlerts, INITIAL_ALERT_STATE, openAlerts, type AlertState } from './alert-hysteresis';
import type { FeatureEvaluation, WindowEvaluation } from './window-evaluation';

const feature = (name: string, drifting: boolean): FeatureEvaluation => ({
  feature: name,
  kind: 'numeric',
  count: 1_000,
  psi: drifting ? 0.3 : 0.01,
  ksStatistic: drifting ? 0.2 : 0.02,
  ksPValue: drifting ? 1e-9 : 0.6,
  ksPValueAdjusted: drifting ? 1e-9 : 0.6,
  ksMethod: 'exact',
  drifting,
  histogram: [],
});

/** A window from a pattern such as 'DC': feature i drifts when the i-th letter is D. */
function window(index: number, pattern: string, judged = true): WindowEvaluation {
  const features = Array.from({ length: pattern.length }, (_, i) =>
    feature(`f${i}`, judged && pattern.charAt(i) === 'D'),
  );
  const drifted = features.filter((f) => f.drifting).map((f) => f.feature);
  return {
    window: { start: index * 10, end: index * 10 + 10, index },
    events: judged ? 1_000 : 5,
    judged,
    reason: judged ? null : 'too small',
    features,
    score: feature('score', false),
    driftedFeatures: drifted,
    driftShare: drifted.length / features.length,
    datasetDrift: judged && drifted.length / features.length >= 0.5,
  };
}

function run(patterns: readonly string[], state: AlertState = INITIAL_ALERT_STATE) {
  const events: string[] = [];
  const triggers: number[] = [];
  patterns.forEach((pattern, i) => {
    const judged = pattern !== '-';
    const step = advanceAlerts(state, window(i, judged ? pattern : 'CC', judged));
    state = step.state;
    for (const a of step.alerts) events.push(`${i}:${a.feature}:${a.status}`);
    if (step.trigger) triggers.push(i);
  });
  return { events, triggers, state };
}

describe('advanceAlerts', () => {
  it.each([
    ['no drift raises nothing', ['CC', 'CC', 'CC', 'CC'], []],
    ['two drifting windows are not enough at k = 3', ['DC', 'DC', 'CC', 'DC', 'DC', 'CC'], []],
    ['three consecutive drifting windows start one alert', ['DC', 'DC', 'DC', 'DC', 'DC'], ['2:f0:STARTED']],
    [
      'three clean windows resolve it, once',
      ['DC', 'DC', 'DC', 'CC', 'CC', 'CC', 'CC'],
      ['2:f0:STARTED', '5:f0:RESOLVED'],
    ],
    [
      'a feature hovering at the threshold does not storm',
      ['DC', 'DC', 'DC', 'CC', 'DC', 'CC', 'DC', 'CC', 'DC'],
      ['2:f0:STARTED'],
    ],
    ['unjudged windows neither count nor break a streak', ['DC', '-', 'DC', '-', 'DC'], ['4:f0:STARTED']],
  ])('%s', (_name, patterns, expected) => {
    expect(run(patterns).events).toEqual(expected);
  });

  it('should fire a retraining trigger after k dataset-drift windows, then hold it for the cool-down', () => {
    const { triggers, events } = run(Array.from({ length: 20 }, () => 'DD'));
    expect(triggers).toEqual([2, 9, 16]);
    expect(events).toEqual(['2:f0:STARTED', '2:f1:STARTED']);
  });

  it('should carry the state across calls as plain data (restart from the last report)', () => {
    const first = run(['DC', 'DC']);
    const copy = JSON.parse(JSON.stringify(first.state)) as AlertState;
    expect(run(['DC'], copy).events).toEqual(['0:f0:STARTED']);
    expect(openAlerts(run(['DC'], copy).state)).toEqual(['f0']);
  });
});
