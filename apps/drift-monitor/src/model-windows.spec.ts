import { prepareReferences, type WindowAccumulator } from '@streamscore/drift';
import type { DriftReport } from '@streamscore/contracts';
import { committableOffsets, createModelWindows, noteRecord, resumeFromReports } from './model-windows';
import type { MonitorSettings } from './monitor-settings';
import { DEFAULT_DRIFT_RULE, DEFAULT_HYSTERESIS } from '@streamscore/drift';

const HOUR = 3_600_000;
const settings: MonitorSettings = {
  spec: { kind: 'time', sizeMs: HOUR, allowedLatenessMs: 0 },
  rule: DEFAULT_DRIFT_RULE,
  policy: DEFAULT_HYSTERESIS,
  valuesPerFeature: 1_000,
};
const references = prepareReferences(
  { features: {}, score: { kind: 'numeric', edges: [0.5], proportions: [0.5, 0.5], sample: [0.2, 0.8] } },
  [],
  100,
);

function report(index: number, open: boolean): DriftReport {
  return {
    modelName: 'm',
    modelVersion: '1',
    window: { kind: 'TIME', index, start: index * HOUR, end: (index + 1) * HOUR },
    alertState: {
      features: [{ feature: 'x', driftingWindows: open ? 3 : 0, cleanWindows: 0, open }],
      datasetDriftWindows: 0,
      cooldownRemaining: 2,
    },
  } as unknown as DriftReport;
}

describe('resumeFromReports', () => {
  it('should resume each model version after its latest reported window, with that alert state', () => {
    const resumed = resumeFromReports([report(4, true), report(2, false)], settings).get('m/1');
    expect(resumed?.progress.closedThrough).toBe(5 * HOUR);
    expect(resumed?.alertState.features[0]?.open).toBe(true);
    expect(resumed?.alertState.cooldownRemaining).toBe(2);
  });

  it('should ignore reports of another window kind', () => {
    expect(
      resumeFromReports([report(4, true)], { ...settings, spec: { kind: 'count', events: 10 } }).size,
    ).toBe(0);
  });
});

describe('committableOffsets', () => {
  it('should hold each partition at the first record of its oldest open window', () => {
    const state = createModelWindows({ modelName: 'm', modelVersion: '1' }, references, settings, undefined);
    const add = (eventTime: number): WindowAccumulator => {
      const window = state.windows.add({ eventTime, score: 0.3, features: {}, categories: {} });
      if (!window) throw new Error('late');
      return window;
    };
    noteRecord(state, add(10), 0, 100n);
    noteRecord(state, add(11), 0, 101n);
    noteRecord(state, add(HOUR + 1), 1, 40n);
    const positions = new Map([
      [0, 150n],
      [1, 60n],
      [2, 7n],
    ]);
    expect(committableOffsets(positions, [state])).toEqual(
      new Map([
        [0, 100n],
        [1, 40n],
        [2, 7n],
      ]),
    );
    const [closed] = state.windows.takeClosable();
    if (closed) state.firstOffsets.delete(closed);
    expect(committableOffsets(positions, [state]).get(0)).toBe(150n);
  });
});
