import { Inject, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import type { Admin } from 'kafkajs';
import { createDecoder, type Prediction, type TopicCatalogue } from '@streamscore/contracts';
import {
  readUpstreamBound,
  type AbandonReason,
  type BatchHandler,
  type CommitOffset,
  type HandledBatch,
  type PartitionAssignment,
  type PartitionBatch,
  type PartitionPosition,
  type ProgressHop,
} from '@streamscore/kafka';
import { HealthRegistry } from '@streamscore/observability';
import {
  BatchHandlerController,
  batchPatterns,
  KAFKA_ADMIN,
  predictionHops,
  TOPICS,
  type PipelineConfig,
} from '@streamscore/platform';
import type { DriftMonitorConfig } from './config';
import { DriftMetrics } from './drift.metrics';
import { DriftMonitorService } from './drift-monitor.service';
import { driftOutputTarget, schemaHistoryOf, windowMessages, type DriftOutputTarget } from './drift-outputs';
import { DriftWindows, type ClosedWindow } from './drift-windows';
import { ModelReferences } from './model-references';
import { monitorSettings } from './monitor-settings';
import { DRIFT_CONFIG, PIPELINE } from './tokens';

/** The transport's handler pattern for the drift monitor's micro-batches of `predictions`. */
export const OBSERVE = 'drift.observe';

/**
 * Keeps tumbling windows per model version over `predictions` and, when windows close, returns
 * their reports, alerts and triggers with the input offsets the transport writes in the same
 * transaction (commit `when-handler-says`). Offsets only move past records whose windows were
 * reported, so after a crash the open windows are rebuilt by re-reading, and a reported window is
 * never counted twice.
 */
@BatchHandlerController()
export class DriftHandler implements BatchHandler, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DriftHandler.name);
  private readonly windows: DriftWindows;
  private readonly target: DriftOutputTarget;
  private readonly predictions: string;
  /** Who writes predictions: their committed event-time progress closes windows. */
  private readonly upstream: readonly ProgressHop[];
  private refreshTimer: NodeJS.Timeout | undefined;
  /** Why memory no longer matches Kafka (closed windows left it undelivered): nothing more is counted. */
  private untrusted: string | undefined;

  constructor(
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
    @Inject(TOPICS) topics: TopicCatalogue,
    @Inject(DRIFT_CONFIG) private readonly config: DriftMonitorConfig,
    @Inject(PIPELINE) pipeline: PipelineConfig,
    private readonly metrics: DriftMetrics,
    private readonly monitor: DriftMonitorService,
    health: HealthRegistry,
  ) {
    this.predictions = topics.name('predictions');
    this.upstream = predictionHops(topics, {
      ingestion: config.STREAMSCORE_INGESTION_GROUP_ID,
      inference: config.STREAMSCORE_INFERENCE_GROUP_ID,
    });
    this.target = driftOutputTarget(config, topics);
    this.windows = new DriftWindows({
      settings: monitorSettings(config),
      references: new ModelReferences(pipeline.modelRepository),
      decoder: createDecoder<Prediction>(schemaHistoryOf(config, 'prediction')),
      metrics,
      resumed: () => monitor.resumedWindows(),
    });
    health.register({
      name: 'drift-windows',
      check: () => (this.untrusted ? Promise.reject(new Error(this.untrusted)) : Promise.resolve()),
    });
  }

  /** The input's progress before the first micro-batch (the transport starts after bootstrap), then every refresh. */
  async onApplicationBootstrap(): Promise<void> {
    await this.refreshInputProgress();
    this.refreshTimer = setInterval(
      () => void this.refreshInputProgress(),
      this.config.STREAMSCORE_WATERMARK_REFRESH_MS,
    );
    this.refreshTimer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.refreshTimer);
  }

  /**
   * Every assigned partition with records left to read holds the watermark back until it delivers,
   * so a partition fetched first cannot close windows the others still feed. Partitions already
   * read to their end (e.g. empty ones, which never produce a micro-batch) do not.
   */
  @EventPattern(batchPatterns(OBSERVE).assigned)
  async assigned(@Payload() assignment: PartitionAssignment): Promise<void> {
    this.windows.forgetOpenWindows();
    try {
      await this.startPartitions(assignment[this.predictions] ?? []);
    } catch (error) {
      this.fail(`reading the offsets of the assigned partitions failed: ${String(error)}`);
      throw error;
    }
  }

  @MessagePattern(OBSERVE)
  async handle(@Payload() batch: PartitionBatch): Promise<HandledBatch> {
    if (this.untrusted) return { outputs: [] };
    const { partition, messages } = batch;
    for (const message of messages) await this.windows.accept(message, partition);
    const closed = await this.windows.takeClosed(() => batch.heartbeat());
    this.metrics.openWindowBytes.set(this.windows.openWindowBytes);
    if (closed.length === 0) return { outputs: [] };
    return {
      outputs: windowMessages(
        this.target,
        closed.map((c) => c.outputs),
      ),
      commit: this.commitOffsets(),
      delivered: () => {
        this.delivered(closed);
      },
      abandoned: (reason) => {
        this.abandoned(reason);
      },
    };
  }

  @EventPattern(batchPatterns(OBSERVE).skipped)
  skipped(@Payload() position: PartitionPosition): void {
    if (position.topic === this.predictions)
      this.windows.skippedTo(position.partition, BigInt(position.nextOffset));
  }

  /**
   * Upstream's bound first, then where predictions end: a partition read to those ends holds
   * everything written before the bound was read. Best effort: a stale reading only closes
   * windows later. Public for tests, which drive it instead of the timer.
   */
  async refreshInputProgress(): Promise<void> {
    try {
      const upstreamMs = await readUpstreamBound(this.admin, this.upstream);
      const ends = await this.admin.fetchTopicOffsets(this.predictions);
      this.windows.recordInputProgress({
        upstreamMs,
        ends: new Map(ends.map((e) => [e.partition, Number(e.high)])),
      });
    } catch (error) {
      this.logger.debug(`reading the input's progress failed: ${String(error)}`);
    }
  }

  private async startPartitions(partitions: readonly number[]): Promise<void> {
    const topic = this.predictions;
    const [ends, committed] = await Promise.all([
      this.admin.fetchTopicOffsets(topic),
      this.admin.fetchOffsets({ groupId: this.config.STREAMSCORE_GROUP_ID, topics: [topic] }),
    ]);
    const committedOffsets = committed[0]?.partitions ?? [];
    for (const partition of partitions) {
      const end = ends.find((p) => p.partition === partition);
      const from = BigInt(committedOffsets.find((p) => p.partition === partition)?.offset ?? '-1');
      const start = from >= 0n ? from : BigInt(end?.low ?? '0');
      this.windows.assignPartition(partition, start);
    }
  }

  private commitOffsets(): CommitOffset[] {
    return [...this.windows.committableOffsets()].map(([partition, offset]) => ({
      topic: this.predictions,
      partition,
      offset: offset.toString(),
    }));
  }

  /** The windows' outputs landed: their alert state becomes the versions' own and they are published. */
  private delivered(closed: readonly ClosedWindow[]): void {
    for (const { state, alertState, outputs } of closed) {
      state.alertState = alertState;
      this.monitor.published(outputs, alertState);
    }
  }

  /**
   * The closed windows left memory but will not land from this member. Fenced (another instance
   * took over the transactional id) or rebalanced while retrying: the process exits and the next
   * run rebuilds from the committed offsets. Stopped: the service is shutting down; the next run
   * rebuilds them the same way.
   */
  private abandoned(reason: AbandonReason): void {
    if (reason !== 'stopped') {
      this.fail(
        `drift outputs abandoned (${reason}): the next run rebuilds the windows from the committed offsets`,
      );
      return;
    }
    this.untrusted = 'stopped while delivering closed windows; the next run reports them';
    this.logger.warn(this.untrusted);
  }

  /** Memory can no longer be trusted: exit, and the next run rebuilds from the committed offsets. */
  private fail(reason: string): void {
    this.untrusted = reason;
    this.logger.error(reason);
    setTimeout(() => process.exit(1), 200);
  }
}
