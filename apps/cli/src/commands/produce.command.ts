import { Command, Option } from 'commander';
import { createDecoder, loadSchemaHistory } from '@streamscore/contracts';
import { cliContext } from '../cli-env';
import { readRecords } from '../io/read-records';
import { RecordFormats, resolveFormat } from '../io/record-formats';
import { fieldKinds } from '../io/schema-coercion';
import { RecordEncoder, type PayloadEncoding } from '../produce/record-encoder';
import { ProgressBar } from '../progress/progress-bar';
import { RatePacer } from '../progress/rate-pacer';
import { positiveInt, positiveNumber } from './option-parsers';

const MAX_BATCH = 500;

interface ProduceOptions {
  readonly stream: 'events' | 'outcomes';
  readonly pipeline?: string;
  readonly file?: string;
  readonly format?: string;
  readonly encoding: PayloadEncoding;
  readonly rate?: number;
  readonly max?: number;
}

/** `streamscore produce`: records from a file or stdin onto `events` or `outcomes`. */
export function produceCommand(): Command {
  return new Command('produce')
    .description('send records from a JSON, JSONL, CSV or Parquet file (or stdin) to an input stream')
    .addOption(
      new Option('--stream <stream>', 'input stream to write')
        .choices(['events', 'outcomes'])
        .makeOptionMandatory(),
    )
    .option(
      '--pipeline <file>',
      'pipeline file naming the stream’s schema and key fields (default: $STREAMSCORE_PIPELINE)',
    )
    .option('--file <file>', 'input file; stdin when absent or "-"')
    .addOption(
      new Option(
        '--format <format>',
        'input format (default: from the file extension; jsonl for stdin)',
      ).choices(RecordFormats),
    )
    .addOption(
      new Option(
        '--encoding <encoding>',
        'avro: checked and single-object encoded; json: sent as JSON for the gate to judge',
      )
        .choices(['avro', 'json'])
        .default('avro'),
    )
    .option('--rate <n>', 'records per second at most', positiveNumber)
    .option('--max <n>', 'send at most this many records', positiveInt)
    .action(async (options: ProduceOptions) => {
      const context = cliContext();
      const stream = context.pipeline(options.pipeline).streams[options.stream];
      const history = loadSchemaHistory(stream.schemaDir);
      const format = resolveFormat(options.format, options.file);
      const all = await readRecords(options.file, format, fieldKinds(history.latest.schema));
      const records = options.max === undefined ? all : all.slice(0, options.max);
      const encoder = new RecordEncoder(createDecoder(history), stream.keyFields, options.encoding);
      // Encode everything first: a bad record stops the run before anything is sent.
      const messages = records.map((record, index) => encoder.encode(record, index));
      const topic = context.topics.name(options.stream);
      const producer = context.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
      });
      const pacer = new RatePacer(options.rate);
      const batchSize = pacer.batchSize(MAX_BATCH);
      const progress = new ProgressBar(`produce ${topic}`, messages.length);
      await producer.connect();
      try {
        for (let start = 0; start < messages.length; start += batchSize) {
          const batch = messages.slice(start, start + batchSize);
          await producer.send({ topic, acks: -1, messages: batch });
          progress.advance(batch.length);
          await pacer.pace(start + batch.length);
        }
      } finally {
        progress.finish();
        await producer.disconnect();
      }
      process.stdout.write(`produced ${messages.length} record(s) to ${topic}\n`);
    });
}
