import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Admin } from 'kafkajs';
import type { Redis } from 'ioredis';
import {
  createDecoder,
  loadSchemaHistory,
  RetriableError,
  type Decoder,
  type TopicCatalogue,
} from '@streamscore/contracts';
import type { FeatureRecord } from '@streamscore/features';
import {
  readUpstreamBound,
  type HandledBatch,
  type PartitionBatch,
  type PartitionPosition,
  type ProgressHop,
} from '@streamscore/kafka';
import { KAFKA_ADMIN, REDIS, TOPICS, validatedStreamHops } from '@streamscore/platform';
import type { FeaturesConfig } from './config';
import { decodeBatch } from './decode-batch';
import type { FeatureDeployment, FeatureSource } from './deployment';
import type { ServiceFeatureStore } from './feature-store.provider';
import { FeaturesMetrics, RECORD_OUTCOMES } from './features.metrics';
import { NO_PROGRESS_MS, SourceWatermark, type PartitionOffsets } from './source-watermark';
import { DEPLOYMENT, FEATURE_STORE, FEATURES_CONFIG, FEATURES_GROUP_ID } from './tokens';

interface Route {
  readonly source: FeatureSource;
  readonly topic: string;
  readonly decoder: Decoder<FeatureRecord>;
  readonly watermark: SourceWatermark;
  /** Who writes the topic: their committed progress bounds what it may still receive. */
  readonly upstream: readonly ProgressHop[];
  /** Hash partition → greatest event time materialized, shared by the group's instances. */
  readonly progressKey: string;
}

// Raises a partition's shared maximum, never lowers it; the key lives as long as the views' data.
const RAISE_PROGRESS = `
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '')
if current == nil or current < tonumber(ARGV[2]) then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

/**
 * Consumes events.validated and outcomes.validated and materializes the feature views in Redis.
 * The only Kafka records it writes are dead letters (features.dead-letter) of records that do not
 * decode: each micro-batch's dead letters and offsets go in one transaction of the partition's own
 * producer (the batch transport, exactly-once; MaterializationHandler is its handler), after its Redis writes. A crash between the two
 * replays the batch, which the store ignores (records are deduplicated by id) and which writes the
 * dead letters again in the new transaction, the old one never having committed.
 */
@Injectable()
export class MaterializationService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MaterializationService.name);
  private readonly routes: ReadonlyMap<string, Route>;
  private readonly deadLetterTopic: string;
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
    @Inject(TOPICS) topics: TopicCatalogue,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly metrics: FeaturesMetrics,
    @Inject(FEATURES_CONFIG) private readonly config: FeaturesConfig,
    @Inject(DEPLOYMENT) private readonly deployment: FeatureDeployment,
    @Inject(FEATURE_STORE) private readonly store: ServiceFeatureStore,
    @Inject(FEATURES_GROUP_ID) readonly groupId: string,
  ) {
    const limits = { maxMessageBytes: config.STREAMSCORE_MAX_MESSAGE_BYTES };
    this.deadLetterTopic = topics.name('featuresDeadLetter');
    this.routes = new Map(
      deployment.sources.map((source) => {
        const topic = topics.name(source.topicKey);
        const route: Route = {
          source,
          topic,
          decoder: createDecoder<FeatureRecord>(loadSchemaHistory(source.schemaDir), limits),
          watermark: new SourceWatermark(),
          upstream: validatedStreamHops(topics, source.name, config.STREAMSCORE_INGESTION_GROUP_ID),
          progressKey: `${store.keyPrefix}fsvc:${this.groupId}:progress:${topic}`,
        };
        return [topic, route];
      }),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.routes.size === 0) {
      this.logger.warn('no feature views (STREAMSCORE_PIPELINE not set): consuming nothing');
      return;
    }
    // Offsets before the first batch (the transport starts after bootstrap), so a partition not
    // yet read holds the watermark back.
    await this.refresh();
    this.refreshTimer = setInterval(() => void this.refresh(), this.config.STREAMSCORE_WATERMARK_REFRESH_MS);
    this.refreshTimer.unref();
    this.logger.log(
      `materializing ${this.deployment.views.length} views from ${[...this.routes.keys()].join(', ')} as group ${this.groupId}${this.config.STREAMSCORE_REBUILD ? ' (rebuild from the retained history)' : ''}`,
    );
  }

  onApplicationShutdown(): void {
    clearInterval(this.refreshTimer);
  }

  /** The input topics, none when the pipeline has no feature views. */
  get topics(): string[] {
    return [...this.routes.keys()];
  }

  /**
   * The validated topics are written in transactions: the last offset of a drained partition is
   * a commit marker, which no batch delivers. Without this the partition would look as if it had
   * a record left and hold every view's watermark back.
   */
  skipped({ topic, partition, nextOffset }: PartitionPosition): void {
    const route = this.routes.get(topic);
    if (route === undefined) return;
    route.watermark.observe(partition, nextOffset, undefined);
    void this.advanceWatermarks(route);
  }

  /** Materializes a micro-batch; its outputs are the dead letters of records that do not decode. */
  async materialize(batch: PartitionBatch): Promise<HandledBatch> {
    const route = this.routes.get(batch.topic);
    const last = batch.messages[batch.messages.length - 1];
    if (route === undefined || last === undefined) return { outputs: [] };
    const decoded = await decodeBatch(route.decoder, batch, {
      timeField: route.source.timeField,
      deadLetterTopic: this.deadLetterTopic,
    });
    this.metrics.recordsIn.inc({ topic: batch.topic }, batch.messages.length);
    // The source watermark as of BEFORE this batch: a batch can span hours of event time, and
    // its own older records must not count as late against its newest.
    const sourceWatermarkMs = route.watermark.watermarkMs(route.source.latenessMs);
    const started = performance.now();
    const counts = await this.store.materializer.applyRecords(
      route.source.name,
      decoded.records,
      sourceWatermarkMs === undefined ? {} : { sourceWatermarkMs },
    );
    // Dead-lettered records move the partition's position like the others but add no event time.
    route.watermark.observe(batch.partition, Number(last.offset) + 1, decoded.maxTimeMs);
    if (decoded.maxTimeMs !== undefined) {
      await this.redis
        .eval(
          RAISE_PROGRESS,
          1,
          route.progressKey,
          String(batch.partition),
          String(decoded.maxTimeMs),
          String(route.source.ttlMs),
        )
        .catch((error: unknown) => {
          throw new RetriableError(`recording partition progress failed: ${String(error)}`, { cause: error });
        });
    }
    this.metrics.writeBatchSeconds.observe((performance.now() - started) / 1000);
    for (const [view, viewCounts] of Object.entries(counts)) {
      for (const outcome of RECORD_OUTCOMES) {
        if (viewCounts[outcome] > 0) this.metrics.records.inc({ view, outcome }, viewCounts[outcome]);
      }
    }
    const { deadLettered, firstFailure } = decoded;
    if (firstFailure === undefined) return { outputs: [] };
    return {
      outputs: decoded.deadLetters,
      // Counted once committed, so the counter equals what landed on features.dead-letter.
      delivered: (info) => {
        for (const [code, n] of deadLettered) this.metrics.deadLettered.inc({ topic: info.topic, code }, n);
        const count = [...deadLettered.values()].reduce((sum, n) => sum + n, 0);
        const { offset, code, reason } = firstFailure;
        this.logger.error(
          `${count} validated records of ${info.topic}[${info.partition}] do not decode; dead-lettered to ${this.deadLetterTopic} (first at offset ${offset}: ${code}: ${reason})`,
        );
      },
    };
  }

  /** Offsets and shared progress for the source watermarks; lag and watermark gauges. */
  private async refresh(): Promise<void> {
    try {
      for (const route of this.routes.values()) {
        // Upstream first: a partition found caught up to the offsets read next holds everything
        // ingestion had committed when its progress was read. Both are set together, once both
        // were read: a fresh bound beside stale offsets would pass records still unread.
        const upstream = await readUpstreamBound(this.admin, route.upstream);
        const [high, committed, shared] = await Promise.all([
          this.admin.fetchTopicOffsets(route.topic),
          this.admin.fetchOffsets({ groupId: this.groupId, topics: [route.topic] }),
          this.redis.hgetall(route.progressKey),
        ]);
        const committedOf = new Map(
          (committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]),
        );
        const offsets: PartitionOffsets[] = high.map((h) => ({
          partition: h.partition,
          low: Number(h.low),
          high: Number(h.high),
          committed: committedOf.get(h.partition) ?? -1,
        }));
        route.watermark.setReading(upstream, offsets);
        route.watermark.setShared(
          new Map(Object.entries(shared).map(([partition, time]) => [Number(partition), Number(time)])),
        );
        await this.advanceWatermarks(route);
      }
      await this.updateWatermarkGauges();
    } catch (error) {
      // Best effort: stale offsets only keep the watermark lower; readiness reports Kafka/Redis problems.
      this.logger.debug(`refresh failed: ${String(error)}`);
    }
  }

  /**
   * The views' watermarks move when records are applied; a partition that caught up with nothing
   * left to apply (drained, or only a commit marker left) must move them too, or the last events
   * of a stream would wait for features forever.
   */
  private async advanceWatermarks(route: Route): Promise<void> {
    const sourceWatermarkMs = route.watermark.watermarkMs(route.source.latenessMs);
    await this.store.materializer
      .applyRecords(route.source.name, [], sourceWatermarkMs === undefined ? {} : { sourceWatermarkMs })
      .catch((error: unknown) => {
        this.logger.debug(`advancing the watermarks of ${route.topic} failed: ${String(error)}`);
      });
  }

  private async updateWatermarkGauges(): Promise<void> {
    const watermarks = await this.store.reader.readWatermarks({
      deadlineMs: this.config.STREAMSCORE_READ_DEADLINE_MS,
    });
    const now = Date.now();
    for (const view of this.deployment.views) {
      const watermark = watermarks[view.name];
      if (watermark === null || watermark === undefined || watermark <= NO_PROGRESS_MS) continue;
      this.metrics.watermarkLagSeconds.set({ view: view.name }, (now - watermark) / 1000);
      const route = [...this.routes.values()].find((r) => r.source.name === view.source);
      const sourceMax = route?.watermark.sourceMaxTimeMs();
      if (sourceMax !== undefined)
        this.metrics.eventTimeLagSeconds.set({ view: view.name }, (sourceMax - watermark) / 1000);
    }
  }
}
