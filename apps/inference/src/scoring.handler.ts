import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { batchPatterns, BatchHandlerController } from '@streamscore/platform';
import type { BatchHandler, HandledBatch, PartitionAssignment, PartitionBatch } from '@streamscore/kafka';
import { InferenceService } from './inference.service';

/** The transport's handler pattern for the inference group's micro-batches. */
export const SCORE = 'inference.score';

/** Scores a micro-batch of validated events: predictions, shadow predictions and dead letters. */
@BatchHandlerController()
export class ScoringHandler implements BatchHandler {
  constructor(private readonly inference: InferenceService) {}

  @MessagePattern(SCORE)
  async handle(@Payload() batch: PartitionBatch): Promise<HandledBatch> {
    const { outputs, stats, serving, eventTimeMs } = await this.inference.score(batch);
    return {
      outputs,
      ...(eventTimeMs === undefined ? {} : { eventTimeMs }),
      // Counted once committed, so the counters (and the version-switch lines) equal what landed
      // on the output topics.
      delivered: (info) => {
        this.inference.delivered(stats, serving, info);
      },
    };
  }

  /** A partition that moved away and back starts over: another member may have scored it meanwhile. */
  @EventPattern(batchPatterns(SCORE).assigned)
  assigned(@Payload() assignment: PartitionAssignment): Promise<void> {
    this.inference.assigned(assignment);
    return Promise.resolve();
  }
}
