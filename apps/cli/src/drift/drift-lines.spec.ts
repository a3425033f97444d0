import type { DriftAlert } from '@streamscore/contracts';
import { alertLine } from './drift-lines';

describe('alertLine', () => {
  it('should put time, status, model, feature, statistics and window on one line', () => {
    const alert: DriftAlert = {
      alertId: 'r1/distance/STARTED',
      status: 'STARTED',
      modelName: 'm',
      modelVersion: '2',
      feature: 'distance',
      window: { kind: 'TIME', index: 3, start: Date.UTC(2001, 5, 1), end: Date.UTC(2001, 5, 2) },
      consecutiveWindows: 3,
      statistics: { feature: 'distance', psi: 0.31234, ksStatistic: 0.12, ksPValueAdjusted: null },
      reportId: 'r1',
      raisedAt: Date.UTC(2001, 5, 2, 0, 5),
    };
    expect(alertLine(alert)).toBe(
      '2001-06-02T00:05Z DRIFT STARTED  m v2 distance: psi=0.312 ks=0.120 p=- after 3 windows, time window #3 [2001-06-01T00:00Z, 2001-06-02T00:00Z)',
    );
  });
});
