import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import {
  loadSchemaHistory,
  SchemaRegistryClient,
  createDecoder,
  type TopicCatalogue,
} from '@streamscore/contracts';
import { consumerGroupLag, PartitionBatchRunner, PendingDeliveries } from '@streamscore/kafka';
import { HealthRegistry, METRICS_REGISTRY } from '@streamscore/observability';
import { KAFKA, KAFKA_ADMIN, TOPICS, type PipelineConfig, runnerLogger } from '@streamscore/platform';
import { INGESTION_CONFIG, PIPELINE } from './tokens';
import type { IngestionConfig } from './config';
import { IngestionMetrics } from './ingestion.metrics';
import { ValidationGate, type GateCounts, type GateRoute } from './validation-gate';

const LAG_INTERVAL_MS = 5_000;

/** Owns the consume → validate → produce loop for `events` and `outcomes`. */
@Injectable()
export class IngestionService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(IngestionService.name);
  private readonly metrics: IngestionMetrics;
  private readonly gate: ValidationGate;
  private readonly runner: PartitionBatchRunner;
  readonly routes: ReadonlyMap<string, GateRoute>;
  /** Counts of micro-batches handled and not yet delivered (counted once delivered). */
  private readonly uncommitted = new PendingDeliveries<GateCounts>();
  private lagTimer: NodeJS.Timeout | undefined;
  private failed: string | undefined;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
    @Inject(TOPICS) private readonly topics: TopicCatalogue,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(INGESTION_CONFIG) private readonly config: IngestionConfig,
    @Inject(PIPELINE) pipeline: PipelineConfig,
    health: HealthRegistry,
  ) {
    this.metrics = new IngestionMetrics(registry);
    const registryClient = config.SCHEMA_REGISTRY_URL
      ? new SchemaRegistryClient({ url: config.SCHEMA_REGISTRY_URL })
      : undefined;
    const limits = {
      maxMessageBytes: config.STREAMSCORE_MAX_MESSAGE_BYTES,
      maxArrayItems: config.STREAMSCORE_MAX_ARRAY_ITEMS,
      maxMapEntries: config.STREAMSCORE_MAX_MAP_ENTRIES,
      ...(registryClient ? { registry: registryClient } : {}),
    };
    const route = (stream: 'events' | 'outcomes', validTopic: string): GateRoute => {
      const history = loadSchemaHistory(pipeline.streams[stream].schemaDir);
      return {
        decoder: createDecoder(history, limits),
        validTopic,
        deadLetterTopic: topics.name('eventsDeadLetter'),
        keyFields: pipeline.streams[stream].keyFields,
        schemaName: history.name,
      };
    };
    this.routes = new Map([
      [topics.name('events'), route('events', topics.name('eventsValidated'))],
      [topics.name('outcomes'), route('outcomes', topics.name('outcomesValidated'))],
    ]);
    this.gate = new ValidationGate(this.routes);
    this.runner = new PartitionBatchRunner({
      kafka,
      groupId: config.STREAMSCORE_GROUP_ID,
      topics: [...this.routes.keys()],
      delivery: config.STREAMSCORE_DELIVERY,
      maxBatchRows: config.STREAMSCORE_MAX_BATCH_ROWS,
      overlapDelivery: config.STREAMSCORE_OVERLAP_DELIVERY,
      maxBatchWaitMs: config.STREAMSCORE_MAX_BATCH_WAIT_MS,
      partitionsConsumedConcurrently: config.STREAMSCORE_PARTITIONS_CONCURRENTLY,
      sessionTimeoutMs: config.STREAMSCORE_SESSION_TIMEOUT_MS,
      logger: runnerLogger(this.logger),
      handler: async (batch) => {
        const started = performance.now();
        const { outputs, counts } = await this.gate.handle(batch);
        this.metrics.batchSeconds.observe({ stage: 'validate' }, (performance.now() - started) / 1000);
        this.uncommitted.handled(batch, counts);
        return outputs;
      },
      onDelivered: (info) => {
        this.metrics.batchRows.observe(info.rows);
        this.metrics.batchSeconds.observe({ stage: 'deliver' }, info.deliverMs / 1000);
        this.metrics.recordsIn.inc({ topic: info.topic }, info.rows);
        // Counted only once committed, so the counters equal what landed on the output topics.
        const counts = this.uncommitted.delivered(info);
        if (counts) {
          this.metrics.recordsValid.inc({ topic: info.topic }, counts.valid);
          for (const [code, n] of counts.deadLettered)
            this.metrics.recordsDeadLettered.inc({ topic: info.topic, code }, n);
        }
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
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.runner.start();
    this.lagTimer = setInterval(() => void this.updateLag(), LAG_INTERVAL_MS);
    this.lagTimer.unref();
    this.logger.log(`consuming ${[...this.routes.keys()].join(', ')} (${this.config.STREAMSCORE_DELIVERY})`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.lagTimer);
    await this.runner.stop();
  }

  private async updateLag(): Promise<void> {
    try {
      const lag = await consumerGroupLag(this.admin, this.config.STREAMSCORE_GROUP_ID, [
        ...this.routes.keys(),
      ]);
      for (const [topic, value] of lag) this.metrics.lag.set({ topic }, value);
    } catch {
      // Lag is best effort; readiness reports Kafka problems.
    }
  }
}
