import { TopicCatalogue } from '@streamscore/contracts';
import { type BatchHandler, PartitionBatchRunner } from '@streamscore/kafka';
import { loadPipelineConfig, type PipelineConfig } from '@streamscore/platform';
import {
  copyToValidated,
  offsetsChosenByHandler,
  offsetsOnly,
  predictionPerDeparture,
  type OnDelivered,
} from './stage-handlers';
import { predictionSchemasDir, stageWiring, type ChainMessage, type StageArgs } from './stage-settings';

/**
 * One stage of the chain floor in a process of its own, as its service runs in one
 * (chain-floor.ts forks it: `chain-stage.ts '<StageArgs as JSON>'`). It tells the bench over IPC
 * when it has its partitions and how many records it has delivered; SIGTERM stops it as a
 * service stops: the in-flight micro-batch finishes and commits.
 */
function tell(message: ChainMessage): void {
  process.send?.(message);
}

async function handlerOf(
  args: StageArgs,
  topics: TopicCatalogue,
  pipeline: PipelineConfig,
  onDelivered: OnDelivered,
): Promise<{ topics: string[]; handler: BatchHandler }> {
  switch (args.stage) {
    case 'ingestion':
      return {
        topics: [topics.name('events'), topics.name('outcomes')],
        handler: copyToValidated(topics, pipeline, onDelivered),
      };
    case 'features':
      return {
        topics: [topics.name('eventsValidated'), topics.name('outcomesValidated')],
        handler: offsetsOnly(onDelivered),
      };
    case 'inference':
      return {
        topics: [topics.name('eventsValidated')],
        handler: await predictionPerDeparture(topics, pipeline, predictionSchemasDir(args.env), onDelivered),
      };
    case 'drift-monitor':
      return { topics: [topics.name('predictions')], handler: offsetsChosenByHandler(onDelivered) };
  }
}

async function runStage(args: StageArgs): Promise<void> {
  const topics = new TopicCatalogue({ prefix: args.topicPrefix, partitions: args.partitions });
  const pipeline = loadPipelineConfig(args.env.STREAMSCORE_PIPELINE);
  const { kafka, settings } = stageWiring(args.stage, args.env);
  let delivered = 0;
  const stage = await handlerOf(args, topics, pipeline, (rows) => {
    delivered += rows;
    tell({ kind: 'delivered', rows: delivered });
  });
  const runner = new PartitionBatchRunner({
    ...settings,
    kafka,
    topics: stage.topics,
    handler: {
      ...stage.handler,
      assigned: () => {
        tell({ kind: 'assigned' });
        return Promise.resolve();
      },
    },
    onFatal: (error) => {
      process.stderr.write(`chain stage ${args.stage}: ${String(error)}\n`);
      process.exit(1);
    },
  });
  process.once('SIGTERM', () => {
    void runner.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  await runner.start();
}

runStage(JSON.parse(process.argv[2] ?? '{}') as StageArgs).catch((error: unknown) => {
  process.stderr.write(
    `chain stage: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
