import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { loadSchemaHistory, type TopicCatalogue } from '@streamscore/contracts';
import { inferenceRecords, PredictionPublisher, type AnsweredInference } from '@streamscore/inference';
import { METRICS_REGISTRY } from '@streamscore/observability';
import { KAFKA, TOPICS } from '@streamscore/platform';
import type { InferenceConfig } from './config';
import { InferenceService } from './inference.service';
import { OipPublishMetrics } from './oip-publish.metrics';
import { INFERENCE_CONFIG } from './tokens';

/** How long shutdown keeps sending queued `/v2` predictions: well inside the 25 s shutdown grace. */
export const OIP_PUBLISH_CLOSE_MS = 10_000;

/**
 * Publishes a Prediction per row of every answered `/v2` infer request (STREAMSCORE_OIP_PUBLISH_PREDICTIONS),
 * so drift and quality see request/response traffic too. At least once, off the response path,
 * with drops counted (PredictionPublisher); flushed at shutdown, after the HTTP server closed.
 */
@Injectable()
export class OipPredictionPublishing implements OnApplicationShutdown {
  private readonly logger = new Logger(OipPredictionPublishing.name);
  private readonly publisher: PredictionPublisher<AnsweredInference> | undefined;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(TOPICS) topics: TopicCatalogue,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(INFERENCE_CONFIG) config: InferenceConfig,
    inference: InferenceService,
  ) {
    if (!config.STREAMSCORE_OIP_PUBLISH_PREDICTIONS) return;
    const prediction = loadSchemaHistory(join(config.STREAMSCORE_SCHEMAS_DIR, 'prediction'));
    const options = {
      topics: { predictions: topics.name('predictions'), shadow: topics.name('predictionsShadow') },
      schema: { type: prediction.latest.type, name: prediction.name },
    };
    const metrics = new OipPublishMetrics(registry, () => this.publisher?.queued ?? 0);
    const publisher = new PredictionPublisher<AnsweredInference>({
      // Idempotent, not transactional: nothing is consumed here to commit with, and an idempotent
      // producer's retries write no duplicates within its session. The settings of the stream's
      // at-least-once delivery (libs/kafka AcksThenCommit).
      producer: kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false }),
      capacity: config.STREAMSCORE_OIP_PUBLISH_QUEUE_ROWS,
      recordsOf: (answered) => inferenceRecords(answered, options),
      weightOf: (answered) => answered.rows,
      events: metrics.events((message) => {
        this.logger.warn(message);
      }),
    });
    inference.openInference.onAnswered((answered) => {
      publisher.offer(answered);
    });
    this.publisher = publisher;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher?.close(OIP_PUBLISH_CLOSE_MS);
  }
}
