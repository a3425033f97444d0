// Over 300 lines until the drift monitor runs on the shared transport (#17 item 2): its consumer,
// window bookkeeping and offset rule live here together today.
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { join } from 'node:path';
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import {
  createDecoder,
  loadSchemaHistory,
  type Decoder,
  type DriftReport,
  type Prediction,
  type SchemaHistory,
  type TopicCatalogue,
} from '@streamscore/contracts';
import { advanceAlerts, evaluateWindow, openAlerts, type AlertState } from '@streamscore/drift';
import { transactionalProducerConfig } from '@streamscore/kafka';
import { HealthRegistry, METRICS_REGISTRY } from '@streamscore/observability';
import { KAFKA, KAFKA_ADMIN, TOPICS, type PipelineConfig } from '@streamscore/platform';
import type { DriftMonitorConfig } from './config';
import { DriftMetrics } from './drift.metrics';
import { buildOutputs, type WindowOutputs } from './drift-records';
import { commitWindows, type DriftTransaction } from './drift-transaction';
import { ModelReferences } from './model-references';
import {
  committableOffsets,
  createModelWindows,
  modelKey,
  noteRecord,
  resumeFromReports,
  type ModelWindows,
  type Resumed,
} from './model-windows';
import { monitorSettings, type MonitorSettings } from './monitor-settings';
import { readReportHistory } from './report-history';
import { DRIFT_CONFIG, PIPELINE } from './tokens';

/**
 * Consumes `predictions` (read_committed, no auto-commit), keeps tumbling windows per model version
 * and, when windows close, writes their reports, alerts and triggers AND the input offsets in one
 * Kafka transaction. Offsets only move past records whose windows were reported, so after a crash
 * the open windows are rebuilt by re-reading, and a reported window is never counted twice.
 */
@Injectable()
export class DriftMonitorService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DriftMonitorService.name);
  private readonly metrics: DriftMetrics;
  private readonly settings: MonitorSettings;
  private readonly references: ModelReferences;
  private readonly predictionDecoder: Decoder<Prediction>;
  /** Where a window's outputs and offsets are written (drift-transaction.ts). */
  private readonly outputTarget: Pick<DriftTransaction, 'groupId' | 'topics' | 'schemas'>;
  private readonly states = new Map<string, ModelWindows | Error>();
  private readonly positions = new Map<number, bigint>();
  /** Per input partition: latest event time read and whether it was caught up at the last batch. */
  private readonly partitionProgress = new Map<number, { maxEventTime: number; caughtUp: boolean }>();
  private resumed = new Map<string, Resumed>();
  private recent: DriftReport[] = [];
  private producer: Producer | undefined;
  private consumer: Consumer | undefined;
  private failed: string | undefined;
  private started = false;
  /** Settles once the partitions of the current assignment are known (see onAssignment). */
  private assignment: Promise<void> = Promise.resolve();

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
    @Inject(TOPICS) private readonly topics: TopicCatalogue,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(DRIFT_CONFIG) private readonly config: DriftMonitorConfig,
    @Inject(PIPELINE) pipeline: PipelineConfig,
    health: HealthRegistry,
  ) {
    this.metrics = new DriftMetrics(registry);
    this.settings = monitorSettings(config);
    this.references = new ModelReferences(pipeline.modelRepository);
    const schemaDir = (record: string): SchemaHistory =>
      loadSchemaHistory(join(config.STREAMSCORE_SCHEMAS_DIR, record));
    this.predictionDecoder = createDecoder<Prediction>(schemaDir('prediction'));
    this.outputTarget = {
      groupId: config.STREAMSCORE_GROUP_ID,
      topics: {
        predictions: topics.name('predictions'),
        reports: topics.name('driftReports'),
        alerts: topics.name('driftAlerts'),
        triggers: topics.name('retrainingTriggers'),
      },
      schemas: {
        report: schemaDir('drift-report'),
        alert: schemaDir('drift-alert'),
        trigger: schemaDir('retraining-trigger'),
      },
    };
    health.register({
      name: 'drift-consumer',
      check: () => {
        if (this.failed) return Promise.reject(new Error(this.failed));
        return this.started ? Promise.resolve() : Promise.reject(new Error('reading report history'));
      },
    });
  }

  /** The latest reports, newest first (restored from `drift.reports` at start). */
  latestReports(limit: number, model?: string): DriftReport[] {
    const reports = model ? this.recent.filter((r) => r.modelName === model) : this.recent;
    return reports.slice(0, limit);
  }

  async onApplicationBootstrap(): Promise<void> {
    const groupId = this.config.STREAMSCORE_GROUP_ID;
    // Connecting the transactional producer fences a previous instance and aborts its open transaction.
    this.producer = this.kafka.producer(transactionalProducerConfig(`${groupId}.drift`, 60_000));
    await this.producer.connect();
    const history = await readReportHistory(
      this.kafka,
      this.topics.name('driftReports'),
      this.outputTarget.schemas.report,
      `${groupId}.history.${process.pid}.${Date.now()}`,
      this.config.STREAMSCORE_DRIFT_HISTORY_TIMEOUT_MS,
    );
    this.resumed = resumeFromReports(history, this.settings);
    this.recent = history.slice(-this.config.STREAMSCORE_DRIFT_REPORTS_KEPT).reverse();
    for (const [key, resumed] of this.resumed) {
      const [model = '', version = ''] = key.split('/');
      this.metrics.alertsOpen.set({ model, version }, openAlerts(resumed.alertState).length);
    }
    this.consumer = this.kafka.consumer({
      groupId,
      readUncommitted: false,
      maxBytesPerPartition: this.config.STREAMSCORE_DRIFT_MAX_BYTES_PER_PARTITION,
      maxWaitTimeInMs: 500,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.forgetOpenWindows();
      const partitions = payload.memberAssignment[this.topics.name('predictions')] ?? [];
      this.assignment = this.onAssignment(partitions).catch((error: unknown) => {
        this.fail(error);
      });
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.topics.name('predictions')], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.started = true;
    this.logger.log(
      `monitoring ${this.topics.name('predictions')}: ${JSON.stringify(this.settings.spec)}; ${history.length} reports restored`,
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Open windows are not committed: the next run re-reads them from the committed offsets.
    await this.consumer?.disconnect().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    await this.assignment;
    if (this.failed) return;
    for (const message of batch.messages) {
      if (!payload.isRunning() || payload.isStale()) break;
      const offset = BigInt(message.offset);
      const eventTime = await this.accept(message, batch.partition, offset);
      this.positions.set(batch.partition, offset + 1n);
      const progress = this.partitionProgress.get(batch.partition);
      if (eventTime !== null && (!progress || eventTime > progress.maxEventTime))
        this.partitionProgress.set(batch.partition, { maxEventTime: eventTime, caughtUp: false });
      payload.resolveOffset(message.offset);
    }
    const progress = this.partitionProgress.get(batch.partition);
    if (progress) progress.caughtUp = batch.offsetLag() === '0';
    await this.closeWindows(
      () => payload.heartbeat(),
      () => payload.isRunning(),
    );
    await payload.heartbeat();
  }

  /** Counts one prediction into its window; returns its event time, or null when undecodable. */
  private async accept(message: KafkaMessage, partition: number, offset: bigint): Promise<number | null> {
    const decoded = await this.predictionDecoder.decode(message.value, message.headers);
    if (!decoded.ok) {
      this.metrics.recordsSkipped.inc({ reason: 'undecodable' });
      return null;
    }
    const p = decoded.record;
    const state = await this.stateFor(p.modelName, p.modelVersion);
    if (state instanceof Error) {
      this.metrics.recordsSkipped.inc({ reason: 'no_manifest' });
      return p.eventTime;
    }
    const window = state.windows.add({
      eventTime: p.eventTime,
      score: p.score,
      features: p.features,
      categories: p.categories,
    });
    if (window) noteRecord(state, window, partition, offset);
    else this.metrics.lateRecords.inc({ model: p.modelName, version: p.modelVersion });
    return p.eventTime;
  }

  /**
   * The input's event-time progress: the slowest partition that still has records to read.
   * Partitions that are caught up (or never delivered anything, e.g. empty ones) do not hold
   * windows back; records they receive later are subject to the allowed lateness.
   */
  private inputEventTime(): number {
    let slowest = Number.POSITIVE_INFINITY;
    for (const { maxEventTime, caughtUp } of this.partitionProgress.values())
      if (!caughtUp && maxEventTime < slowest) slowest = maxEventTime;
    return slowest;
  }

  /**
   * Every assigned partition with records left to read holds the watermark back until it delivers,
   * so a partition fetched first cannot close windows the others still feed. Partitions already
   * read to their end (e.g. empty ones, which never produce a batch) do not.
   */
  private async onAssignment(partitions: readonly number[]): Promise<void> {
    const topic = this.topics.name('predictions');
    const [ends, committed] = await Promise.all([
      this.admin.fetchTopicOffsets(topic),
      this.admin.fetchOffsets({ groupId: this.config.STREAMSCORE_GROUP_ID, topics: [topic] }),
    ]);
    const committedOffsets = committed[0]?.partitions ?? [];
    for (const partition of partitions) {
      const end = ends.find((p) => p.partition === partition);
      const from = BigInt(committedOffsets.find((p) => p.partition === partition)?.offset ?? '-1');
      const start = from >= 0n ? from : BigInt(end?.low ?? '0');
      const caughtUp = start >= BigInt(end?.high ?? '0');
      this.partitionProgress.set(partition, { maxEventTime: Number.NEGATIVE_INFINITY, caughtUp });
    }
  }

  /**
   * After a rebalance kafkajs fetches every assigned partition from its committed offset, which is
   * the first record of the oldest open window: the open windows are rebuilt from there, so the
   * copies in memory are dropped. Reported progress and alert states are kept.
   */
  private forgetOpenWindows(): void {
    for (const [key, state] of this.states) {
      if (state instanceof Error) continue;
      this.resumed.set(key, { progress: state.windows.progress(), alertState: state.alertState });
    }
    this.states.clear();
    this.positions.clear();
    this.partitionProgress.clear();
  }

  private async stateFor(modelName: string, modelVersion: string): Promise<ModelWindows | Error> {
    const key = modelKey(modelName, modelVersion);
    const known = this.states.get(key);
    if (known) return known;
    const references = await this.references.get(modelName, modelVersion);
    const state =
      references instanceof Error
        ? references
        : createModelWindows({ modelName, modelVersion }, references, this.settings, this.resumed.get(key));
    if (state instanceof Error) this.logger.warn(`predictions of ${key} are skipped: ${state.message}`);
    this.states.set(key, state);
    return state;
  }

  private liveStates(): ModelWindows[] {
    return [...this.states.values()].filter((s): s is ModelWindows => !(s instanceof Error));
  }

  private async closeWindows(heartbeat: () => Promise<void>, isRunning: () => boolean): Promise<void> {
    const pending: { state: ModelWindows; alertState: AlertState; outputs: WindowOutputs }[] = [];
    for (const state of this.liveStates()) {
      let alertState = state.alertState;
      for (const window of state.windows.takeClosable(this.inputEventTime())) {
        state.firstOffsets.delete(window);
        const evaluation = evaluateWindow(window, this.settings.rule);
        const step = advanceAlerts(alertState, evaluation, this.settings.policy);
        alertState = step.state;
        pending.push({
          state,
          alertState,
          outputs: buildOutputs({
            key: state.key,
            spec: this.settings.spec,
            evaluation,
            missing: window.missing,
            step,
            rule: this.settings.rule,
            policy: this.settings.policy,
            now: Date.now(),
          }),
        });
        await heartbeat();
      }
    }
    this.metrics.openWindowBytes.set(this.liveStates().reduce((sum, s) => sum + s.windows.byteLength, 0));
    if (pending.length === 0) return;
    const offsets = committableOffsets(this.positions, this.liveStates());
    const producer = this.producer;
    let committed: boolean;
    try {
      if (!producer) throw new Error('producer is not connected');
      const warn = (message: string): void => {
        this.logger.warn(message);
      };
      committed = await commitWindows(
        { ...this.outputTarget, producer, heartbeat, isRunning, warn },
        pending.map((p) => p.outputs),
        offsets,
      );
    } catch (error) {
      this.fail(error);
      return;
    }
    if (!committed) {
      // Stopping: these windows left memory unreported; the next run rebuilds them from Kafka.
      this.failed = 'stopped while retrying a drift transaction';
      return;
    }
    for (const { state, alertState, outputs } of pending) {
      state.alertState = alertState;
      this.published(outputs, alertState);
    }
  }

  private published(outputs: WindowOutputs, alertState: AlertState): void {
    const { report } = outputs;
    const labels = { model: report.modelName, version: report.modelVersion };
    this.recent.unshift(report);
    this.recent.length = Math.min(this.recent.length, this.config.STREAMSCORE_DRIFT_REPORTS_KEPT);
    this.metrics.windowsEvaluated.inc({ ...labels, judged: String(report.judged) });
    for (const f of [...report.features, report.score]) {
      const series = { ...labels, feature: f.feature };
      if (f.psi !== null) this.metrics.psi.set(series, f.psi);
      if (f.ksStatistic !== null) this.metrics.ksStatistic.set(series, f.ksStatistic);
      if (f.ksPValue !== null) this.metrics.ksPValue.set(series, f.ksPValue);
      if (f.ksPValueAdjusted !== null) this.metrics.ksPValueAdjusted.set(series, f.ksPValueAdjusted);
    }
    for (const alert of outputs.alerts) this.metrics.alertsRaised.inc({ ...labels, status: alert.status });
    if (outputs.trigger) this.metrics.retrainingTriggers.inc(labels);
    this.metrics.alertsOpen.set(labels, openAlerts(alertState).length);
  }

  /**
   * A window whose transaction failed non-retriably has left memory but not Kafka. The in-memory state
   * can no longer be trusted, so the process exits and the next run rebuilds from committed offsets.
   */
  private fail(error: unknown): void {
    this.failed = `drift transaction failed: ${String(error)}`;
    this.logger.error(this.failed);
    setTimeout(() => process.exit(1), 200);
  }
}
