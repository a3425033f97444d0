import { Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { BatchHandlerController } from '@streamscore/platform';
import type { BatchHandler, HandledBatch, PartitionBatch } from '@streamscore/kafka';
import { GATE_ROUTES, type GateRoutes } from './gate-routes';
import { IngestionMetrics } from './ingestion.metrics';
import { ValidationGate } from './validation-gate';

/** The transport's handler pattern for the ingestion group's micro-batches. */
export const VALIDATE = 'ingestion.validate';

/** Validates a micro-batch of `events` or `outcomes`: valid records to their validated topic, the rest dead-lettered. */
@BatchHandlerController()
export class ValidationHandler implements BatchHandler {
  private readonly gate: ValidationGate;

  constructor(
    @Inject(GATE_ROUTES) routes: GateRoutes,
    private readonly metrics: IngestionMetrics,
  ) {
    this.gate = new ValidationGate(routes);
  }

  @MessagePattern(VALIDATE)
  async handle(@Payload() batch: PartitionBatch): Promise<HandledBatch> {
    const started = performance.now();
    const { outputs, counts, eventTimeMs } = await this.gate.handle(batch);
    const { metrics } = this;
    metrics.batchSeconds.observe({ stage: 'validate' }, (performance.now() - started) / 1000);
    return {
      outputs,
      ...(eventTimeMs === undefined ? {} : { eventTimeMs }),
      // Counted only once committed, so the counters equal what landed on the output topics.
      delivered: (info) => {
        metrics.batchRows.observe(info.rows);
        metrics.batchSeconds.observe({ stage: 'deliver' }, info.deliverMs / 1000);
        metrics.recordsIn.inc({ topic: info.topic }, info.rows);
        metrics.recordsValid.inc({ topic: info.topic }, counts.valid);
        metrics.replayedClaims.inc({ topic: info.topic }, counts.replayedClaims);
        for (const [code, n] of counts.deadLettered)
          metrics.recordsDeadLettered.inc({ topic: info.topic, code }, n);
      },
    };
  }
}
