import {
  ContentTypes,
  encodeSingleObject,
  Headers,
  loadSchemaHistory,
  TopicCatalogue,
} from '@streamscore/contracts';
import { defaultSlices, planReplay } from '@streamscore/demo-flights/testing';
import { loadPipelineConfig } from '@streamscore/platform';
import { TopicTail, testKafka } from '@streamscore/testing';
import type { ChainMessage } from './stage-settings';

/**
 * The chain floor's feed, in a process of its own as the demo runner is: the demo's replay plan
 * (planReplay, the same departures and outcomes in the same order, keyed by origin, single-object
 * Avro, a content-type header) sent the way `npm run demo -- --rate 0` sends it, with a
 * read_committed tail of `predictions` joined first as the demo's is.
 *
 * The sending is demo/runner/paced-replay.ts's replayPaced at rate 0 (one send at a time, in plan
 * order, at most MAX_SEND = 500 records each: demo/runner/pacing.ts), rewritten here because the
 * demo does not export it to benches (@streamscore/demo-flights/testing). Keep the two in step.
 */
const MAX_SEND = 500;

interface ReplayArgs {
  readonly events: number;
  readonly pipeline: string;
  readonly topicPrefix: string;
  readonly partitions: number;
}

async function replay(args: ReplayArgs): Promise<void> {
  const topics = new TopicCatalogue({ prefix: args.topicPrefix, partitions: args.partitions });
  const pipeline = loadPipelineConfig(args.pipeline);
  const plan = await planReplay({ events: args.events, slices: defaultSlices(), warmUpMs: 86_400_000 });
  const types = {
    events: loadSchemaHistory(pipeline.streams.events.schemaDir).latest.type,
    outcomes: loadSchemaHistory(pipeline.streams.outcomes.schemaDir).latest.type,
  };
  const headers = { [Headers.contentType]: ContentTypes.avro };
  const kafka = testKafka();
  const producer = kafka.producer();
  await producer.connect();
  const tail = await TopicTail.start(kafka, topics.name('predictions'), { maxWaitTimeInMs: 10 });
  process.once('SIGTERM', () => {
    void tail.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  const sent = { departures: 0, outcomes: 0 };
  for (let from = 0; from < plan.records.length; from += MAX_SEND) {
    const byStream = { events: [] as Message[], outcomes: [] as Message[] };
    for (const r of plan.records.slice(from, from + MAX_SEND)) {
      byStream[r.stream].push({
        key: r.record.origin,
        value: encodeSingleObject(types[r.stream], r.record),
        headers,
      });
    }
    await producer.sendBatch({
      topicMessages: (['events', 'outcomes'] as const)
        .filter((s) => byStream[s].length > 0)
        .map((s) => ({ topic: topics.name(s), messages: byStream[s] })),
    });
    sent.departures += byStream.events.length;
    sent.outcomes += byStream.outcomes.length;
  }
  await producer.disconnect();
  const message: ChainMessage = { kind: 'sent', ...sent, tailGroupId: tail.groupId };
  process.send?.(message);
}

interface Message {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

replay(JSON.parse(process.argv[2] ?? '{}') as ReplayArgs).catch((error: unknown) => {
  process.stderr.write(
    `replay producer: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
