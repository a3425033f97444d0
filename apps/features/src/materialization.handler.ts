import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import type { BatchHandler, HandledBatch, PartitionBatch, PartitionPosition } from '@streamscore/kafka';
import { BatchHandlerController, batchPatterns } from '@streamscore/platform';
import { MaterializationService } from './materialization.service';

/** The transport's handler pattern for the features group's micro-batches. */
export const MATERIALIZE = 'features.materialize';

/** Materializes micro-batches of the validated streams into the feature views (Redis). */
@BatchHandlerController()
export class MaterializationHandler implements BatchHandler {
  constructor(private readonly materialization: MaterializationService) {}

  @MessagePattern(MATERIALIZE)
  handle(@Payload() batch: PartitionBatch): Promise<HandledBatch> {
    return this.materialization.materialize(batch);
  }

  @EventPattern(batchPatterns(MATERIALIZE).skipped)
  skipped(@Payload() position: PartitionPosition): void {
    this.materialization.skipped(position);
  }
}
