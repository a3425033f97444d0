import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { Message } from 'kafkajs';
import {
  ContentTypes,
  createDecoder,
  Headers,
  loadSchemaHistory,
  type TopicKey,
} from '@streamscore/contracts';
import type { TopicRecord } from '@streamscore/kafka';
import { inputChecks } from '@streamscore/platform';
import { cliContext, type CliContext } from '../cli-env';
import {
  countByCode,
  deadLetterRow,
  headerText,
  offsetKey,
  originalHeaders,
  parseOffsets,
} from '../dead-letters/dead-letter-row';
import { parseRepairs } from '../dead-letters/repair-file';
import { toJsonLine } from '../io/record-formats';
import { readTopics } from '../kafka/topic-reader';

type Queue = 'events' | 'predictions';
const QUEUE_TOPIC: Record<Queue, TopicKey> = {
  events: 'eventsDeadLetter',
  predictions: 'predictionsDeadLetter',
};

async function readDeadLetters(context: CliContext, queue: Queue): Promise<TopicRecord[]> {
  const messages: TopicRecord[] = [];
  await readTopics({
    kafka: context.kafka,
    topics: [context.topics.name(QUEUE_TOPIC[queue])],
    follow: false,
    fromBeginning: true,
    onMessage: (message) => {
      messages.push(message);
    },
  });
  return messages;
}

const queueOption = (): Option =>
  new Option(
    '--queue <queue>',
    'events: rejected input records; predictions: validated events that could not be scored',
  )
    .choices(['events', 'predictions'])
    .default('events');

/** `streamscore dlq list|resend`: look at dead letters by reason and send chosen ones back. */
export function dlqCommand(): Command {
  const dlq = new Command('dlq').description('inspect dead letters by reason code and re-send chosen ones');

  dlq
    .command('list')
    .description('print dead letters as JSON lines (stdout) and their counts by reason code (stderr)')
    .addOption(queueOption())
    .option('--code <code>', 'only dead letters with this reason code')
    .action(async (options: { queue: Queue; code?: string }) => {
      const rows = (await readDeadLetters(cliContext(), options.queue)).map(deadLetterRow);
      const chosen = options.code === undefined ? rows : rows.filter((row) => row.code === options.code);
      for (const row of chosen) process.stdout.write(`${toJsonLine(row)}\n`);
      for (const [code, count] of countByCode(chosen)) process.stderr.write(`${code}\t${count}\n`);
      process.stderr.write(`${chosen.length} dead letter(s)\n`);
    });

  dlq
    .command('resend')
    .description('re-send dead letters to their source topic with their original key and headers')
    .addOption(queueOption())
    .option('--code <code>', 'every dead letter with this reason code')
    .option('--offsets <list>', 'these dead letters: partition:offset,… as `dlq list` prints them')
    .option(
      '--repair <file>',
      'JSON lines {partition, offset, record}: the records that replace the payloads',
    )
    .option(
      '--pipeline <file>',
      'pipeline file, to encode repairs bound for a validated topic (default: $STREAMSCORE_PIPELINE)',
    )
    .action(
      async (options: {
        queue: Queue;
        code?: string;
        offsets?: string;
        repair?: string;
        pipeline?: string;
      }) => {
        if ((options.code === undefined) === (options.offsets === undefined)) {
          throw new Error('choose the dead letters with exactly one of --code or --offsets');
        }
        const context = cliContext();
        const wanted = options.offsets === undefined ? undefined : parseOffsets(options.offsets);
        const repairs =
          options.repair === undefined ? undefined : parseRepairs(readFileSync(options.repair, 'utf8'));
        const chosen = (await readDeadLetters(context, options.queue)).filter((message) =>
          wanted === undefined
            ? headerText(message.headers, Headers.dlqCode) === options.code
            : wanted.has(offsetKey(message.partition, message.offset)),
        );
        if (wanted !== undefined) {
          const found = new Set(chosen.map((m) => offsetKey(m.partition, m.offset)));
          const missing = [...wanted].filter((key) => !found.has(key));
          if (missing.length > 0) throw new Error(`no dead letter at ${missing.join(', ')}`);
        }
        if (chosen.length === 0) throw new Error('no dead letter matches');
        const resender = new Resender(context, options.pipeline);
        const byTopic = new Map<string, Message[]>();
        for (const message of chosen) {
          const key = offsetKey(message.partition, message.offset);
          const repaired = repairs?.get(key);
          if (repairs !== undefined && repaired === undefined)
            throw new Error(`--repair has no record for ${key}`);
          const { topic, out } = resender.message(message, repaired);
          byTopic.set(topic, [...(byTopic.get(topic) ?? []), out]);
        }
        if (repairs !== undefined && repairs.size !== chosen.length) {
          throw new Error(`--repair holds ${repairs.size} records for ${chosen.length} chosen dead letters`);
        }
        const producer = context.kafka.producer({
          idempotent: true,
          maxInFlightRequests: 1,
          allowAutoTopicCreation: false,
        });
        await producer.connect();
        try {
          for (const [topic, messages] of byTopic) {
            await producer.send({ topic, acks: -1, messages });
            process.stdout.write(`re-sent ${messages.length} dead letter(s) to ${topic}\n`);
          }
        } finally {
          await producer.disconnect();
        }
      },
    );

  return dlq;
}

/** Builds the message that goes back: to the source topic, which must be one of the catalogue's. */
class Resender {
  private readonly inputTopics: Set<string>;
  private readonly validated: Map<string, 'events' | 'outcomes'>;

  constructor(
    private readonly context: CliContext,
    private readonly pipelineFile: string | undefined,
  ) {
    const t = context.topics;
    this.inputTopics = new Set([t.name('events'), t.name('outcomes')]);
    this.validated = new Map([
      [t.name('eventsValidated'), 'events'],
      [t.name('outcomesValidated'), 'outcomes'],
    ]);
  }

  message(dead: TopicRecord, repaired: Record<string, unknown> | undefined): { topic: string; out: Message } {
    const topic = headerText(dead.headers, Headers.sourceTopic);
    const where = `dead letter ${dead.partition}:${dead.offset}`;
    if (topic === undefined) throw new Error(`${where} has no ${Headers.sourceTopic} header`);
    if (!this.inputTopics.has(topic) && !this.validated.has(topic)) {
      throw new Error(
        `${where} came from ${topic}, which is not an input or validated topic of this catalogue`,
      );
    }
    const headers = originalHeaders(dead.headers);
    const dropped = headerText(dead.headers, Headers.dlqDropped);
    if (repaired === undefined && dropped !== undefined) {
      throw new Error(
        `${where} does not hold its record (too large to copy: ${dropped} bytes); resend the original from ${topic} partition ${headerText(dead.headers, Headers.sourcePartition) ?? '?'} offset ${headerText(dead.headers, Headers.sourceOffset) ?? '?'}, or give a --repair`,
      );
    }
    if (repaired === undefined) return { topic, out: { key: dead.key, value: dead.value, headers } };
    const stream = this.validated.get(topic);
    if (stream === undefined) {
      // Input topics: the ingestion gate validates JSON exactly like Avro.
      headers[Headers.contentType] = ContentTypes.json;
      return { topic, out: { key: dead.key, value: JSON.stringify(repaired), headers } };
    }
    // Validated topics carry canonical Avro only: check and encode the repair here.
    const pipeline = this.context.pipeline(this.pipelineFile);
    const history = loadSchemaHistory(pipeline.streams[stream].schemaDir);
    // The gate's field size limits too: this record skips the gate.
    const result = createDecoder(history, inputChecks(pipeline, stream)).fromJson(repaired);
    if (!result.ok) throw new Error(`repair of ${where}: ${result.code}: ${result.reason}`);
    headers[Headers.contentType] = ContentTypes.avro;
    headers[Headers.schemaName] = history.name;
    return { topic, out: { key: dead.key, value: result.canonical, headers } };
  }
}
