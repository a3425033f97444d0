import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { DriftReport, SchemaHistory, TopicCatalogue } from '@streamscore/contracts';
import { openAlerts, type AlertState } from '@streamscore/drift';
import { connectTransactional } from '@streamscore/kafka';
import { HealthRegistry } from '@streamscore/observability';
import { KAFKA, TOPICS } from '@streamscore/platform';
import type { DriftMonitorConfig } from './config';
import { DriftMetrics } from './drift.metrics';
import { driftTransactionalId, schemaHistoryOf } from './drift-outputs';
import type { WindowOutputs } from './drift-records';
import { resumeFromReports, type Resumed } from './model-windows';
import { monitorSettings } from './monitor-settings';
import { readReportHistory } from './report-history';
import { DRIFT_CONFIG } from './tokens';

/**
 * What the drift monitor has reported: the report history read back at start (which windows are
 * done per model version and their alert state, for the handler; the latest reports, for the
 * controllers) and every report delivered since. The windows themselves are drift.handler.ts's.
 */
@Injectable()
export class DriftMonitorService implements OnApplicationBootstrap {
  private readonly logger = new Logger(DriftMonitorService.name);
  private readonly reportSchemas: SchemaHistory;
  private resumed: ReadonlyMap<string, Resumed> | undefined;
  private recent: DriftReport[] = [];

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(TOPICS) private readonly topics: TopicCatalogue,
    @Inject(DRIFT_CONFIG) private readonly config: DriftMonitorConfig,
    private readonly metrics: DriftMetrics,
    health: HealthRegistry,
  ) {
    this.reportSchemas = schemaHistoryOf(config, 'drift-report');
    health.register({
      name: 'drift-history',
      check: () => (this.resumed ? Promise.resolve() : Promise.reject(new Error('reading report history'))),
    });
  }

  /** The latest reports, newest first (restored from `drift.reports` at start). */
  latestReports(limit: number, model?: string): DriftReport[] {
    const reports = model ? this.recent.filter((r) => r.modelName === model) : this.recent;
    return reports.slice(0, limit);
  }

  /** Per model version, the windows already reported and the alert state (from the history). */
  resumedWindows(): ReadonlyMap<string, Resumed> {
    if (!this.resumed) throw new Error('the report history has not been read yet');
    return this.resumed;
  }

  /**
   * Runs before the transport starts: fences a previous instance (its open transaction is aborted,
   * so it no longer holds back the last stable offset of `drift.reports`), then reads the reports.
   */
  async onApplicationBootstrap(): Promise<void> {
    const groupId = this.config.STREAMSCORE_GROUP_ID;
    await this.fencePreviousInstance(driftTransactionalId(groupId));
    const history = await readReportHistory(
      this.kafka,
      this.topics.name('driftReports'),
      this.reportSchemas,
      `${groupId}.history.${process.pid}.${Date.now()}`,
      this.config.STREAMSCORE_DRIFT_HISTORY_TIMEOUT_MS,
    );
    const settings = monitorSettings(this.config);
    const resumed = resumeFromReports(history, settings);
    this.recent = history.slice(-this.config.STREAMSCORE_DRIFT_REPORTS_KEPT).reverse();
    for (const [key, { alertState }] of resumed) {
      const [model = '', version = ''] = key.split('/');
      this.metrics.alertsOpen.set({ model, version }, openAlerts(alertState).length);
    }
    this.resumed = resumed;
    this.logger.log(
      `monitoring ${this.topics.name('predictions')}: ${JSON.stringify(settings.spec)}; ${history.length} reports restored`,
    );
  }

  /** A window's outputs landed: its report is kept for the controllers and counted. */
  published(outputs: WindowOutputs, alertState: AlertState): void {
    const { report } = outputs;
    const { metrics } = this;
    const labels = { model: report.modelName, version: report.modelVersion };
    this.recent.unshift(report);
    this.recent.length = Math.min(this.recent.length, this.config.STREAMSCORE_DRIFT_REPORTS_KEPT);
    metrics.windowsEvaluated.inc({ ...labels, judged: String(report.judged) });
    for (const f of [...report.features, report.score]) {
      const series = { ...labels, feature: f.feature };
      if (f.psi !== null) metrics.psi.set(series, f.psi);
      if (f.ksStatistic !== null) metrics.ksStatistic.set(series, f.ksStatistic);
      if (f.ksPValue !== null) metrics.ksPValue.set(series, f.ksPValue);
      if (f.ksPValueAdjusted !== null) metrics.ksPValueAdjusted.set(series, f.ksPValueAdjusted);
    }
    for (const alert of outputs.alerts) metrics.alertsRaised.inc({ ...labels, status: alert.status });
    if (outputs.trigger) metrics.retrainingTriggers.inc(labels);
    metrics.alertsOpen.set(labels, openAlerts(alertState).length);
  }

  /**
   * Initialising a producer with the transport's transactional id fences the previous holder and
   * aborts its open transaction; the transport's own producer takes the id over when it starts.
   */
  private async fencePreviousInstance(transactionalId: string): Promise<void> {
    const producer = await connectTransactional(this.kafka, transactionalId);
    await producer.disconnect();
  }
}
