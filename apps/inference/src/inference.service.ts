import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Admin, Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { createDecoder, loadSchemaHistory, type TopicCatalogue } from '@streamscore/contracts';
import { DeploymentWatcher } from '@streamscore/deployments';
import { FeatureReader, parseFeatureViews } from '@streamscore/features';
import { consumerGroupLag, PartitionBatchRunner, PendingDeliveries } from '@streamscore/kafka';
import { HealthRegistry, METRICS_REGISTRY } from '@streamscore/observability';
import { KAFKA, KAFKA_ADMIN, REDIS, TOPICS, type PipelineConfig, runnerLogger } from '@streamscore/platform';
import {
  BatchScorer,
  cudaProviderInstalled,
  desiredFromDeployment,
  FeatureReaderThread,
  resolveExecutionProviders,
  ScoringPool,
  ServingController,
  VersionLoader,
  versionsOf,
  type BatchStats,
  type Serving,
} from '@streamscore/inference';
import type { InferenceConfig } from './config';
import { InferenceMetrics } from './inference.metrics';
import { INFERENCE_CONFIG, PIPELINE } from './tokens';

const LAG_INTERVAL_MS = 5_000;

/**
 * Owns the consume → features → score → produce loop on events.validated, the scoring worker pool
 * and the model versions that serve (following the model-deployments topic).
 */
@Injectable()
export class InferenceService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(InferenceService.name);
  private readonly metrics: InferenceMetrics;
  private readonly inputTopic: string;
  private readonly pool: ScoringPool;
  private readonly controller: ServingController;
  private readonly watcher: DeploymentWatcher;
  private readonly runner: PartitionBatchRunner;
  /** Set when feature reads run in a worker thread (STREAMSCORE_FEATURE_THREAD). */
  private readonly featureThread: FeatureReaderThread | undefined;
  /** Stats of micro-batches handled and not yet delivered (counted once delivered). */
  private readonly uncommitted = new PendingDeliveries<{ stats: BatchStats; serving: Serving }>();
  private lagTimer: NodeJS.Timeout | undefined;
  private failed: string | undefined;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
    @Inject(REDIS) redis: Redis | null,
    @Inject(TOPICS) topics: TopicCatalogue,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(INFERENCE_CONFIG) private readonly config: InferenceConfig,
    @Inject(PIPELINE) private readonly pipeline: PipelineConfig,
    health: HealthRegistry,
  ) {
    if (!redis) throw new Error('inference needs Redis (PlatformModule redis: true)');
    this.inputTopic = topics.name('eventsValidated');
    const views = parseFeatureViews(
      JSON.parse(readFileSync(pipeline.featureViews, 'utf8')) as unknown,
      pipeline.featureViews,
    );
    const featureReader = config.STREAMSCORE_FEATURE_THREAD
      ? new FeatureReaderThread(
          {
            views,
            redis: {
              url: config.REDIS_URL,
              ...(config.REDIS_USERNAME === undefined ? {} : { username: config.REDIS_USERNAME }),
              ...(config.REDIS_PASSWORD === undefined ? {} : { password: config.REDIS_PASSWORD }),
              ...(config.REDIS_TLS_CA_FILE === undefined ? {} : { tlsCaFile: config.REDIS_TLS_CA_FILE }),
            },
            keyPrefix: config.REDIS_KEY_PREFIX,
            cacheSlabs: config.STREAMSCORE_FEATURE_CACHE_SLABS,
          },
          (message) => {
            this.logger.warn(message);
          },
        )
      : new FeatureReader(redis, views, {
          keyPrefix: config.REDIS_KEY_PREFIX,
          cacheSlabs: config.STREAMSCORE_FEATURE_CACHE_SLABS,
        });
    this.featureThread = featureReader instanceof FeatureReaderThread ? featureReader : undefined;
    this.metrics = new InferenceMetrics(registry, () => featureReader.cacheStats());
    const resolved = resolveExecutionProviders(config.STREAMSCORE_EXECUTION_PROVIDERS, {
      cuda: cudaProviderInstalled(),
    });
    for (const note of resolved.notes) this.logger.warn(note);
    this.pool = new ScoringPool({
      workers: config.STREAMSCORE_SCORING_WORKERS,
      executionProviders: resolved.providers,
      intraOpNumThreads: config.STREAMSCORE_INTRA_OP_THREADS,
      onWorkerExit: (index, reason) => {
        this.logger.error(`scoring worker ${index} stopped (${reason}); replacing it`);
      },
    });
    this.controller = new ServingController(new VersionLoader(this.pool, pipeline.modelRepository, views), {
      applied: (serving, description) => {
        this.metrics.serving.reset();
        const roles = [
          ['ACTIVE', serving.active],
          ['CANARY', serving.canary?.version],
          ['SHADOW', serving.shadow],
        ] as const;
        for (const [role, v] of roles)
          if (v) this.metrics.serving.set({ model: v.name, version: v.version, role }, 1);
        const providers = [...new Set(versionsOf(serving).map((v) => v.provider))].join(', ');
        this.logger.log(`serving ${description} (execution provider ${providers})`);
      },
      refused: (source, error) => {
        const code = (error as { code?: unknown }).code;
        this.metrics.versionsRefused.inc({
          model: source.model,
          version: source.artifact.version,
          code: typeof code === 'string' ? code : 'ERROR',
        });
        this.logger.error(
          `model ${source.model} version ${source.artifact.version} refused, the current version keeps serving: ${(error as Error).message}`,
        );
      },
    });
    this.watcher = new DeploymentWatcher({
      kafka,
      topic: topics.name('modelDeployments'),
      model: pipeline.model,
      schemasDir: config.STREAMSCORE_SCHEMAS_DIR,
      onChange: (deployment) => {
        this.logger.log(
          `deployment of ${deployment.model} changed by ${deployment.updatedBy}: ${deployment.reason}`,
        );
        void this.controller.apply(desiredFromDeployment(deployment));
      },
      onDelete: () => {
        this.logger.warn(`deployment record of ${pipeline.model} deleted; the current versions keep serving`);
      },
      log: (message) => {
        this.logger.warn(message);
      },
    });
    const prediction = loadSchemaHistory(join(config.STREAMSCORE_SCHEMAS_DIR, 'prediction'));
    const events = pipeline.streams.events;
    const scorer = new BatchScorer({
      decoder: createDecoder(loadSchemaHistory(events.schemaDir)),
      features: featureReader,
      scorer: this.pool,
      idField: events.idField,
      timeField: events.timeField,
      routingField: config.STREAMSCORE_CANARY_KEY_FIELD ?? events.idField,
      topics: {
        predictions: topics.name('predictions'),
        shadow: topics.name('predictionsShadow'),
        deadLetter: topics.name('predictionsDeadLetter'),
      },
      prediction: { type: prediction.latest.type, name: prediction.name },
      featureMaxWaitMs: config.STREAMSCORE_FEATURE_MAX_WAIT_MS,
      featureReadDeadlineMs: config.STREAMSCORE_FEATURE_READ_DEADLINE_MS,
    });
    this.runner = new PartitionBatchRunner({
      kafka,
      groupId: config.STREAMSCORE_GROUP_ID,
      topics: [this.inputTopic],
      delivery: config.STREAMSCORE_DELIVERY,
      maxBatchRows: config.STREAMSCORE_MAX_BATCH_ROWS,
      overlapDelivery: config.STREAMSCORE_OVERLAP_DELIVERY,
      maxBatchWaitMs: config.STREAMSCORE_MAX_BATCH_WAIT_MS,
      maxBytesPerPartition: config.STREAMSCORE_MAX_BYTES_PER_PARTITION,
      partitionsConsumedConcurrently: config.STREAMSCORE_PARTITIONS_CONCURRENTLY,
      sessionTimeoutMs: config.STREAMSCORE_SESSION_TIMEOUT_MS,
      logger: runnerLogger(this.logger),
      handler: async (batch) => {
        const { serving, release } = this.controller.acquire();
        try {
          const { outputs, stats } = await scorer.handle(batch, serving);
          this.uncommitted.handled(batch, { stats, serving });
          return outputs;
        } finally {
          release();
        }
      },
      onDelivered: (info) => {
        const done = this.uncommitted.delivered(info);
        if (done) this.countDelivered(done.stats, done.serving, info.deliverMs);
      },
      onRetry: (_error, _attempt, topic) => {
        this.metrics.retries.inc({ topic });
      },
      onFatal: (error) => {
        this.failed = String(error);
      },
    });
    health.register({
      name: 'consumer',
      check: () => (this.failed ? Promise.reject(new Error(this.failed)) : Promise.resolve()),
    });
    health.register({
      name: 'serving',
      check: () =>
        this.controller.current() ? Promise.resolve() : Promise.reject(new Error('no model version serving')),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.watcher.start();
    await this.serveInitialVersions();
    await this.runner.start();
    this.lagTimer = setInterval(() => void this.updateLag(), LAG_INTERVAL_MS);
    this.lagTimer.unref();
    this.logger.log(`consuming ${this.inputTopic} (${this.config.STREAMSCORE_DELIVERY})`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.lagTimer);
    await this.runner.stop();
    await this.watcher.stop();
    await this.controller.close();
    await this.pool.close();
    await this.featureThread?.close();
    this.metrics.close();
  }

  /** The recorded deployment, or the repository's latest version when the topic has no record yet. */
  private async serveInitialVersions(): Promise<void> {
    const model = this.pipeline.model;
    const recorded = this.watcher.current();
    if (recorded) {
      if (!(await this.controller.apply(desiredFromDeployment(recorded))))
        throw new Error(`the recorded deployment of ${model} cannot serve (see the error above)`);
      return;
    }
    const artifact = await new VersionLoader(this.pool, this.pipeline.modelRepository, []).latestArtifact(
      model,
    );
    this.logger.warn(
      `no deployment record for ${model} on the model-deployments topic: serving the repository's latest version ${artifact.version}`,
    );
    if (!(await this.controller.apply({ active: { model, artifact }, canary: null, shadow: null })))
      throw new Error(
        `the latest version ${artifact.version} of ${model} cannot serve (see the error above)`,
      );
  }

  private countDelivered(stats: BatchStats, serving: Serving, deliverMs: number): void {
    const { metrics } = this;
    const active = { model: serving.active.name, version: serving.active.version };
    metrics.batchRows.observe(stats.rows);
    metrics.stageSeconds.observe({ stage: 'queue', ...active }, stats.queueMs / 1000);
    metrics.stageSeconds.observe({ stage: 'features', ...active }, stats.featuresMs / 1000);
    metrics.stageSeconds.observe({ stage: 'produce', ...active }, deliverMs / 1000);
    for (const run of stats.runs) {
      const labels = { model: run.version.name, version: run.version.version };
      metrics.rowsScored.inc({ ...labels, role: run.role }, run.rows);
      metrics.stageSeconds.observe({ stage: 'inference', ...labels }, run.runMs / 1000);
      metrics.stageSeconds.observe({ stage: 'scoring', ...labels }, run.roundTripMs / 1000);
      if (run.runWaitMs !== undefined) metrics.ortWaitSeconds.inc(run.runWaitMs / 1000);
    }
    for (const [code, n] of stats.deadLettered) metrics.deadLettered.inc({ code }, n);
    metrics.staleFeatures.inc(stats.stale);
  }

  private async updateLag(): Promise<void> {
    try {
      const lag = await consumerGroupLag(this.admin, this.config.STREAMSCORE_GROUP_ID, [this.inputTopic]);
      for (const [topic, value] of lag) this.metrics.lag.set({ topic }, value);
    } catch {
      // Lag is best effort; readiness reports Kafka problems.
    }
  }
}
