/**
 * What the replay test compares, as plain rows: the service's reports and alerts (read back from
 * Kafka), the offline windows, and the drift page's HTML, projected onto the same shapes so a
 * mismatch shows the window, the feature and the numbers in Jest's diff.
 */
import type { DriftAlert, DriftReport } from '@streamscore/contracts';
import type { FeatureEvaluation } from '@streamscore/drift';
import type { OfflineAlert, OfflineWindow } from './offline-drift';

export interface WindowRow {
  readonly index: number;
  readonly events: number;
  readonly judged: boolean;
  readonly driftedFeatures: readonly string[];
  readonly datasetDrift: boolean;
  /** Per input feature and the score: [name, count, psi, KS D, corrected KS p, drifting]. */
  readonly statistics: readonly (readonly [
    string,
    number,
    number | null,
    number | null,
    number | null,
    boolean,
  ])[];
  readonly openAfter: readonly string[];
}

type StatisticsOf = Pick<
  FeatureEvaluation,
  'feature' | 'count' | 'psi' | 'ksStatistic' | 'ksPValueAdjusted' | 'drifting'
>;

const statisticsRow = (f: StatisticsOf): WindowRow['statistics'][number] => [
  f.feature,
  f.count,
  f.psi,
  f.ksStatistic,
  f.ksPValueAdjusted,
  f.drifting,
];

export function reportRow(report: DriftReport): WindowRow {
  return {
    index: report.window.index,
    events: report.events,
    judged: report.judged,
    driftedFeatures: report.driftedFeatures,
    datasetDrift: report.datasetDrift,
    statistics: [...report.features, report.score].map(statisticsRow),
    openAfter: report.alertState.features.filter((f) => f.open).map((f) => f.feature),
  };
}

export function offlineRow(window: OfflineWindow): WindowRow {
  const e = window.evaluation;
  return {
    index: e.window.index,
    events: e.events,
    judged: e.judged,
    driftedFeatures: e.driftedFeatures,
    datasetDrift: e.datasetDrift,
    statistics: [...e.features, e.score].map(statisticsRow),
    openAfter: window.openAfter,
  };
}

export const byAlertOrder = (a: OfflineAlert, b: OfflineAlert): number =>
  a.windowIndex - b.windowIndex || a.feature.localeCompare(b.feature) || a.status.localeCompare(b.status);

export function alertRow(alert: DriftAlert): OfflineAlert {
  return { windowIndex: alert.window.index, feature: alert.feature, status: alert.status };
}

export interface PageWindow {
  readonly reportId: string;
  readonly openAlerts: readonly string[];
  /** data-feature → data-psi of the window's rows. */
  readonly psi: ReadonlyMap<string, string>;
}

/** The windows of GET /drift in page order, read from the markup drift-page.ts writes. */
export function parseDriftPage(html: string): PageWindow[] {
  const sections = html.split('<section class="window"').slice(1);
  return sections.map((section) => {
    const reportId = /data-report="([^"]*)"/.exec(section)?.[1] ?? '';
    const open = /open alerts: ([^<]*)<\/p>/.exec(section)?.[1] ?? '';
    const psi = new Map<string, string>();
    for (const row of section.matchAll(/<tr class="feature[^"]*"([^>]*)>/g)) {
      const attributes = row[1] ?? '';
      const feature = /data-feature="([^"]*)"/.exec(attributes)?.[1];
      const value = /data-psi="([^"]*)"/.exec(attributes)?.[1];
      if (feature !== undefined && value !== undefined) psi.set(feature, value);
    }
    return { reportId, openAlerts: open === 'none' ? [] : open.split(', '), psi };
  });
}
