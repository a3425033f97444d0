import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { createDecoder, loadSchemaHistory, type TopicCatalogue } from '@streamscore/contracts';
import { DeploymentWatcher } from '@streamscore/deployments';
import { FeatureReader, parseFeatureViews } from '@streamscore/features';
import type { BatchDelivered, PartitionAssignment, PartitionBatch } from '@streamscore/kafka';
import { HealthRegistry, METRICS_REGISTRY } from '@streamscore/observability';
import { KAFKA, REDIS, TOPICS, type PipelineConfig } from '@streamscore/platform';
import {
  BatchScorer,
  cudaProviderInstalled,
  desiredFromDeployment,
  FeatureReaderThread,
  OpenInferenceServer,
  resolveExecutionProviders,
  ScoringPool,
  ServingController,
  VersionLoader,
  versionsOf,
  VersionSwitches,
  type BatchStats,
  type ScoredOutputs,
  type Serving,
} from '@streamscore/inference';
import type { InferenceConfig } from './config';
import { InferenceMetrics } from './inference.metrics';
import { SERVER_NAME, serverVersion } from './server-identity';
import { INFERENCE_CONFIG, PIPELINE } from './tokens';

/** What scoring a micro-batch produced, with the versions that served it. */
export interface ScoredBatch extends ScoredOutputs {
  readonly serving: Serving;
}

/**
 * The inference runtime: the scoring worker pool, the feature reader, the batch scorer and the
 * model versions that serve (following the model-deployments topic). ScoringHandler hands it the
 * transport's micro-batches.
 */
@Injectable()
export class InferenceService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(InferenceService.name);
  readonly metrics: InferenceMetrics;
  private readonly pool: ScoringPool;
  private readonly controller: ServingController;
  private readonly watcher: DeploymentWatcher;
  private readonly scorer: BatchScorer;
  /** Per input partition, the active version of its last delivered micro-batch. */
  private readonly switches = new VersionSwitches();
  /** Open Inference Protocol v2 requests, on the versions and scoring pool the stream uses. */
  readonly openInference: OpenInferenceServer;
  /** Set when feature reads run in a worker thread (STREAMSCORE_FEATURE_THREAD). */
  private readonly featureThread: FeatureReaderThread | undefined;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(REDIS) redis: Redis | null,
    @Inject(TOPICS) topics: TopicCatalogue,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(INFERENCE_CONFIG) config: InferenceConfig,
    @Inject(PIPELINE) private readonly pipeline: PipelineConfig,
    health: HealthRegistry,
  ) {
    if (!redis) throw new Error('inference needs Redis (PlatformModule redis: true)');
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
    this.openInference = new OpenInferenceServer({
      server: { name: SERVER_NAME, version: serverVersion() },
      model: pipeline.model,
      serving: this.controller,
      scorer: this.pool,
      batching: {
        maxBatchRows: config.STREAMSCORE_OIP_MAX_BATCH_ROWS,
        maxQueueDelayMs: config.STREAMSCORE_OIP_MAX_QUEUE_DELAY_MS,
        onBatch: (batch) => {
          this.metrics.oipBatchRequests.observe(
            { model: batch.target.name, version: batch.target.version },
            batch.requests,
          );
        },
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
    this.scorer = new BatchScorer({
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
    health.register({
      name: 'serving',
      check: () =>
        this.controller.current() ? Promise.resolve() : Promise.reject(new Error('no model version serving')),
    });
  }

  /** Serving is settled before the transport starts (startBatchTransport runs after bootstrap). */
  async onApplicationBootstrap(): Promise<void> {
    await this.watcher.start();
    await this.serveInitialVersions();
  }

  /** Scores one micro-batch with the versions serving now; they stay loaded until it is done. */
  async score(batch: PartitionBatch): Promise<ScoredBatch> {
    const { serving, release } = this.controller.acquire();
    try {
      return { ...(await this.scorer.handle(batch, serving)), serving };
    } finally {
      release();
    }
  }

  /** After the transport closed (Nest runs this hook once its in-flight micro-batch is done). */
  async onApplicationShutdown(): Promise<void> {
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

  /** After a rebalance: partitions this member lost no longer have a version here. */
  assigned(assignment: PartitionAssignment): void {
    this.switches.assigned(assignment);
  }

  /**
   * Counts a micro-batch once its predictions committed, and logs its partition's switch to a new
   * active version (one structured line: partition, first offset scored by the new version, old
   * and new version).
   */
  delivered(stats: BatchStats, serving: Serving, info: BatchDelivered): void {
    const change = this.switches.delivered(info, serving.active);
    if (change) {
      this.metrics.versionSwitches.inc({
        model: change.model,
        from: change.fromVersion,
        to: change.toVersion,
      });
      this.logger.log(
        { event: 'active-version-switch', ...change },
        `partition ${change.partition} of ${change.topic}: ${change.model} version ${change.fromVersion} → ${change.toVersion} from offset ${change.firstOffset}`,
      );
    }
    const { metrics } = this;
    const active = { model: serving.active.name, version: serving.active.version };
    metrics.batchRows.observe(stats.rows);
    metrics.stageSeconds.observe({ stage: 'queue', ...active }, stats.queueMs / 1000);
    metrics.stageSeconds.observe({ stage: 'features', ...active }, stats.featuresMs / 1000);
    metrics.stageSeconds.observe({ stage: 'feature_wait', ...active }, stats.featureWaitMs / 1000);
    metrics.stageSeconds.observe({ stage: 'produce', ...active }, info.deliverMs / 1000);
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
}
