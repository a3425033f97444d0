import { randomUUID } from 'node:crypto';
import { Command, Option } from 'commander';
import { createDecoder, loadSchemaHistory } from '@streamscore/contracts';
import { connectTransactional } from '@streamscore/kafka';
import { inputChecks } from '@streamscore/platform';
import { cliContext } from '../cli-env';
import { readLineRecords } from '../io/line-records';
import { readBytes } from '../io/read-records';
import { RecordFormats, resolveFormat } from '../io/record-formats';
import { fieldKinds } from '../io/schema-coercion';
import { encodeLines, type LineMessage } from '../produce/line-messages';
import { rawLines } from '../produce/raw-lines';
import { RecordEncoder, type PayloadEncoding } from '../produce/record-encoder';
import {
  DEFAULT_TRANSACTION_LINES,
  sendInTransactions,
  transactionLinesOf,
  transactionTimeoutMs,
} from '../produce/transactional-send';
import { ProgressBar } from '../progress/progress-bar';
import { RatePacer } from '../progress/rate-pacer';
import { positiveInt, positiveNumber } from './option-parsers';
import { requireTopics } from '../kafka/topic-check';

/** Records per send request within a transaction. */
const MAX_BATCH = 500;

interface ProduceOptions {
  readonly stream: 'events' | 'outcomes';
  readonly pipeline?: string;
  readonly file?: string;
  readonly format?: string;
  readonly encoding: PayloadEncoding | 'raw';
  readonly rate?: number;
  readonly max?: number;
  readonly fromLine?: number;
  readonly transactionLines?: number;
}

/**
 * `streamscore produce`: records from a file or stdin onto `events` or `outcomes`. Every selected
 * line is encoded first and every bad one reported (nothing is sent then); the records go in
 * transactions of --transaction-lines, each commit printed with its last line, so that a failure
 * leaves whole transactions only and names the --from-line that sends exactly the rest.
 */
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
        'avro: checked and single-object encoded; json: sent as JSON for the gate to judge; raw: each JSONL line’s bytes as they are (to test the gate)',
      )
        .choices(['avro', 'json', 'raw'])
        .default('avro'),
    )
    .option('--rate <n>', 'records per second at most', positiveNumber)
    .option('--max <n>', 'send at most this many lines (from --from-line on)', positiveInt)
    .option(
      '--from-line <n>',
      'start at this line (file line for JSONL and CSV, element for JSON, row for Parquet), e.g. to resume',
      positiveInt,
    )
    .option(
      '--transaction-lines <n>',
      `records per transaction (default ${DEFAULT_TRANSACTION_LINES}; with --rate, one second of records)`,
      positiveInt,
    )
    .action(async (options: ProduceOptions) => {
      const context = cliContext();
      const pipeline = context.pipeline(options.pipeline);
      const stream = pipeline.streams[options.stream];
      const history = loadSchemaHistory(stream.schemaDir);
      const format = resolveFormat(options.format, options.file);
      const transactionLines = transactionLinesOf(options);
      const timeoutMs = transactionTimeoutMs(transactionLines, options.rate);
      const selection = {
        ...(options.fromLine === undefined ? {} : { fromLine: options.fromLine }),
        ...(options.max === undefined ? {} : { max: options.max }),
      };
      let lines: LineMessage[];
      if (options.encoding === 'raw') {
        if (format !== 'jsonl')
          throw new Error(
            `--encoding raw sends JSONL lines as they are; the input is ${format} (use --format jsonl)`,
          );
        lines = rawLines(await readBytes(options.file), stream.keyFields, context.maxMessageBytes, selection);
      } else {
        const input = await readLineRecords(options.file, format, fieldKinds(history.latest.schema));
        const encoder = new RecordEncoder(
          // The pipeline's field size limits: a record the gate would dead-letter TOO_LARGE is refused here.
          createDecoder(history, inputChecks(pipeline, options.stream)),
          stream.keyFields,
          options.encoding,
          context.maxMessageBytes,
        );
        // Everything is encoded before anything is sent: one bad line and nothing goes out.
        lines = encodeLines(input, (record) => encoder.encode(record), selection);
      }
      const topic = context.topics.name(options.stream);
      if (lines.length === 0) {
        process.stdout.write(`produced 0 record(s) to ${topic}\n`);
        return;
      }
      await requireTopics(context.kafka, [topic], context.topicPrefix);
      // A new transactional id per run: see docs/cli.md (the resume point never depends on it).
      const transactionalId = `streamscore-cli.produce.${topic}.${randomUUID()}`;
      const producer = await connectTransactional(context.kafka, transactionalId, timeoutMs);
      const pacer = new RatePacer(options.rate);
      const progress = new ProgressBar(`produce ${topic}`, lines.length);
      let done: { records: number; transactions: number };
      try {
        done = await sendInTransactions(producer, {
          topic,
          lines,
          transactionLines,
          sendSize: pacer.batchSize(MAX_BATCH),
          ...(options.max === undefined ? {} : { max: options.max }),
          pace: (sent) => pacer.pace(sent),
          onSent: (records) => {
            progress.advance(records);
          },
          onCommit: (committed) => {
            progress.clearLine();
            process.stdout.write(
              `committed lines ${committed.firstLine}-${committed.lastLine} ` +
                `(${committed.records} record(s)), next: --from-line ${committed.lastLine + 1}\n`,
            );
          },
        });
      } finally {
        progress.finish();
        await producer.disconnect();
      }
      process.stdout.write(
        `produced ${done.records} record(s) to ${topic} in ${done.transactions} transaction(s)\n`,
      );
    });
}
