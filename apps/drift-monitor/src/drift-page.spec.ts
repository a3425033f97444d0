import type { DriftReport, FeatureDrift } from '@streamscore/contracts';
import { formatStatistic, renderDriftPage } from './drift-page';

const feature = (name: string, psi: number | null): FeatureDrift => ({
  feature: name,
  kind: 'NUMERIC',
  count: 10,
  missing: 0,
  psi,
  ksStatistic: 0.123456,
  ksPValue: 0.01,
  ksPValueAdjusted: 2.5e-7,
  ksMethod: 'exact',
  drifting: true,
  histogram: [
    { label: '< 1', reference: 0.5, current: 0.2 },
    { label: '>= 1', reference: 0.5, current: 0.8 },
  ],
});

const report = {
  reportId: 'm/1/time/3',
  modelName: 'm',
  modelVersion: '1',
  window: { kind: 'TIME', index: 3, start: 0, end: 1 },
  events: 10,
  judged: true,
  reason: null,
  features: [feature('<x>', 0.31)],
  score: feature('score', null),
  driftedFeatures: ['<x>'],
  driftShare: 1,
  datasetDrift: true,
  alertState: { features: [], datasetDriftWindows: 1, cooldownRemaining: 0 },
} as unknown as DriftReport;

describe('renderDriftPage', () => {
  it('should print statistics to 4 significant digits and mark absent ones', () => {
    expect(formatStatistic(0.123456)).toBe('0.1235');
    expect(formatStatistic(2.5e-7)).toBe('2.500e-7');
    expect(formatStatistic(null)).toBe('–');
  });

  it('should render a row per feature and the score with exact values as data attributes, escaped', () => {
    const html = renderDriftPage([report], new Date(0));
    expect(html).toContain('data-feature="&#60;x&#62;"');
    expect(html).toContain('data-psi="0.31"');
    expect(html).toContain('<td class="psi">0.31</td>');
    expect(html).toContain('<td class="ks-pvalue-adjusted">2.500e-7</td>');
    expect(html).toContain('data-role="score" data-psi=""');
    expect(html.match(/<rect class="cur"/g)).toHaveLength(4);
    expect(html).not.toMatch(/<script|https?:\/\//);
  });

  it('should say so when no window has closed', () => {
    expect(renderDriftPage([], new Date(0))).toContain('No window has closed yet.');
  });

  it('should list an unjudged window with its reason, never with statistics marked stable', () => {
    const unjudged = {
      ...report,
      features: [{ ...feature('<x>', 4.1), drifting: false }],
      judged: false,
      reason: 'only 3 predictions (at least 500)',
    } as DriftReport;
    const html = renderDriftPage([unjudged], new Date(0));
    expect(html).toContain('No window has been judged yet (see below).');
    expect(html).toContain('<li data-report="m/1/time/3">m v1 · window 3');
    expect(html).toContain('10 predictions · only 3 predictions (at least 500)</li>');
    expect(html).not.toContain('stable');
    expect(html).not.toContain('4.1');
  });

  it('should keep the judged windows on the page when many tiny windows closed after them', () => {
    const tiny: DriftReport[] = Array.from({ length: 12 }, (_, i) => ({
      ...report,
      reportId: `m/1/time/${100 + i}`,
      judged: false,
      events: 1,
      reason: 'only 1 prediction',
    }));
    const html = renderDriftPage([...tiny, report], new Date(0), 10);
    expect(html).toContain('<section class="window" data-report="m/1/time/3">');
    expect(html.match(/<section class="window"/g)).toHaveLength(1);
    // The tiny ones as one line each, at most the limit.
    expect(html.match(/<li data-report="m\/1\/time\/1\d\d"/g)).toHaveLength(10);
  });

  it('should scale a histogram of many bins down to the page', () => {
    const wide = {
      ...feature('wide', 0.1),
      histogram: Array.from({ length: 100 }, (_, i) => ({
        label: String(i),
        reference: 0.01,
        current: 0.01,
      })),
    };
    const html = renderDriftPage([{ ...report, features: [wide] }], new Date(0));
    expect(html).toContain('aria-label="histogram of wide" width="360" height="60" viewBox="0 0 3000 60"');
  });
});
