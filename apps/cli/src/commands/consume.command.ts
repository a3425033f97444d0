import { Argument, Command } from 'commander';
import { createDecoder, loadSchemaHistory, type Decoder } from '@streamscore/contracts';
import type { TopicRecord } from '@streamscore/kafka';
import { cliContext } from '../cli-env';
import { ConsumeTargets, readingsFor, type ConsumeTarget } from '../consume/consume-targets';
import { deadLetterRow } from '../dead-letters/dead-letter-row';
import { toJsonLine } from '../io/record-formats';
import { readTopics } from '../kafka/topic-reader';
import { positiveInt } from './option-parsers';

interface ConsumeOptions {
  readonly follow?: boolean;
  readonly fromBeginning?: boolean;
  readonly max?: number;
  readonly pipeline?: string;
  readonly metadata?: boolean;
}

type Render = (message: TopicRecord) => Promise<unknown>;

/** `streamscore consume <what>`: decoded records as JSON lines on stdout. */
export function consumeCommand(): Command {
  return new Command('consume')
    .description(
      'print input records, predictions, dead letters, drift alerts, reports or triggers as JSON lines (read_committed)',
    )
    .addArgument(new Argument('<what>', 'what to read').choices(ConsumeTargets))
    .option('--follow', 'keep reading new records (Ctrl-C stops); without it, stop at the end of the topic')
    .option(
      '--from-beginning',
      'with --follow, start at the oldest record instead of the newest (without --follow reading always starts there)',
    )
    .option('--max <n>', 'stop after this many records', positiveInt)
    .option(
      '--pipeline <file>',
      'pipeline file, for events, outcomes and validated (default: $STREAMSCORE_PIPELINE)',
    )
    .option('--metadata', 'wrap each record as {topic, partition, offset, timestamp, key, record}')
    .action(async (what: ConsumeTarget, options: ConsumeOptions) => {
      const context = cliContext();
      const readings = readingsFor(what, {
        topics: context.topics,
        schemasDir: context.schemasDir,
        pipelineSchemaDirs: () => {
          const { events, outcomes } = context.pipeline(options.pipeline).streams;
          return { events: events.schemaDir, outcomes: outcomes.schemaDir };
        },
      });
      const renderers = new Map<string, Render>();
      for (const reading of readings) {
        if (reading.kind === 'dead-letter') {
          renderers.set(reading.topic, (message) => Promise.resolve(deadLetterRow(message)));
        } else {
          renderers.set(reading.topic, avroRenderer(createDecoder(loadSchemaHistory(reading.schemaDir))));
        }
      }
      let undecodable = 0;
      await readTopics({
        kafka: context.kafka,
        topicPrefix: context.topicPrefix,
        topics: readings.map((reading) => reading.topic),
        follow: options.follow === true,
        fromBeginning: options.fromBeginning === true,
        ...(options.max !== undefined ? { max: options.max } : {}),
        onMessage: async (message) => {
          const render = renderers.get(message.topic);
          if (render === undefined) return;
          let record: unknown;
          try {
            record = await render(message);
          } catch (error) {
            undecodable++;
            process.stderr.write(
              `${message.topic} ${message.partition}:${message.offset}: ${(error as Error).message}\n`,
            );
            return;
          }
          const line = options.metadata
            ? {
                topic: message.topic,
                partition: message.partition,
                offset: message.offset,
                timestamp: message.timestamp,
                key: message.key?.toString('utf8') ?? null,
                record,
              }
            : record;
          process.stdout.write(`${toJsonLine(line)}\n`);
        },
      });
      if (undecodable > 0) throw new Error(`${undecodable} record(s) could not be decoded`);
    });
}

function avroRenderer(decoder: Decoder<Record<string, unknown>>): Render {
  return async (message) => {
    const result = await decoder.decode(message.value, message.headers);
    if (!result.ok) throw new Error(`${result.code}: ${result.reason}`);
    return result.record;
  };
}
