import { Counter, Gauge, type Registry } from 'prom-client';

/** The service's metric prefix; the transport adds `drift_consumer_lag` and `drift_retries_total`. */
export const DRIFT_METRICS_PREFIX = 'drift';

type SeriesLabels = 'model' | 'version' | 'feature';
type ModelLabels = 'model' | 'version';

/** Gauges show the latest closed window; the score's series has feature="score". */
export class DriftMetrics {
  readonly psi: Gauge<SeriesLabels>;
  readonly ksStatistic: Gauge<SeriesLabels>;
  readonly ksPValue: Gauge<SeriesLabels>;
  readonly ksPValueAdjusted: Gauge<SeriesLabels>;
  readonly windowsEvaluated: Counter<ModelLabels | 'judged'>;
  readonly alertsOpen: Gauge<ModelLabels>;
  readonly alertsRaised: Counter<ModelLabels | 'status'>;
  readonly retrainingTriggers: Counter<ModelLabels>;
  readonly lateRecords: Counter<ModelLabels>;
  readonly recordsSkipped: Counter<'reason'>;
  readonly openWindowBytes: Gauge;

  constructor(registry: Registry) {
    const gauge = (name: string, help: string): Gauge<SeriesLabels> =>
      new Gauge({ name, help, labelNames: ['model', 'version', 'feature'], registers: [registry] });
    this.psi = gauge('drift_psi', 'PSI of the latest closed window against the reference');
    this.ksStatistic = gauge('drift_ks_statistic', 'two-sample KS statistic D of the latest closed window');
    this.ksPValue = gauge('drift_ks_pvalue', 'KS p-value of the latest closed window');
    this.ksPValueAdjusted = gauge(
      'drift_ks_pvalue_adjusted',
      'KS p-value after the multiple-testing correction across features',
    );
    this.windowsEvaluated = new Counter({
      name: 'drift_windows_evaluated_total',
      help: 'windows closed and reported (committed)',
      labelNames: ['model', 'version', 'judged'],
      registers: [registry],
    });
    this.alertsOpen = new Gauge({
      name: 'drift_alerts_open',
      help: 'features whose drift alert is open',
      labelNames: ['model', 'version'],
      registers: [registry],
    });
    this.alertsRaised = new Counter({
      name: 'drift_alerts_total',
      help: 'drift alerts written, by status',
      labelNames: ['model', 'version', 'status'],
      registers: [registry],
    });
    this.retrainingTriggers = new Counter({
      name: 'drift_retraining_triggers_total',
      help: 'retraining triggers written',
      labelNames: ['model', 'version'],
      registers: [registry],
    });
    this.lateRecords = new Counter({
      name: 'drift_late_records_total',
      help: 'predictions for windows already closed (dropped)',
      labelNames: ['model', 'version'],
      registers: [registry],
    });
    this.recordsSkipped = new Counter({
      name: 'drift_records_skipped_total',
      help: 'predictions not counted: undecodable, or a model version without a manifest',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.openWindowBytes = new Gauge({
      name: 'drift_open_window_bytes',
      help: 'bytes held by the typed arrays of all open windows',
      registers: [registry],
    });
  }
}
