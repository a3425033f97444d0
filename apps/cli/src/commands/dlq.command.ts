import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { Message } from 'kafkajs';
import { ContentTypes, headerText, Headers, type TopicKey } from '@streamscore/contracts';
import type { TopicRecord } from '@streamscore/kafka';
import { cliContext, type CliContext } from '../cli-env';
import {
  countByCode,
  deadLetterRow,
  offsetKey,
  originalHeaders,
  parseOffsets,
} from '../dead-letters/dead-letter-row';
import { parseRepairs } from '../dead-letters/repair-file';
import { toJsonLine } from '../io/record-formats';
import { readTopics } from '../kafka/topic-reader';
import { deadLetterCode } from './option-parsers';

type Queue = 'events' | 'predictions';
const QUEUE_TOPIC: Record<Queue, TopicKey> = {
  events: 'eventsDeadLetter',
  predictions: 'predictionsDeadLetter',
};

async function readDeadLetters(context: CliContext, queue: Queue): Promise<TopicRecord[]> {
  const messages: TopicRecord[] = [];
  await readTopics({
    kafka: context.kafka,
    topicPrefix: context.topicPrefix,
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
    .option('--code <code>', 'only dead letters with this reason code', deadLetterCode)
    .action(async (options: { queue: Queue; code?: string }) => {
      const rows = (await readDeadLetters(cliContext(), options.queue)).map(deadLetterRow);
      const chosen = options.code === undefined ? rows : rows.filter((row) => row.code === options.code);
      for (const row of chosen) process.stdout.write(`${toJsonLine(row)}\n`);
      for (const [code, count] of countByCode(chosen)) process.stderr.write(`${code}\t${count}\n`);
      process.stderr.write(`${chosen.length} dead letter(s)\n`);
    });

  dlq
    .command('resend')
    .description(
      'send dead letters back through the ingestion gate (the input topic of their stream) with their original key and headers',
    )
    .addOption(queueOption())
    .option('--code <code>', 'every dead letter with this reason code', deadLetterCode)
    .option('--offsets <list>', 'these dead letters: partition:offset,… as `dlq list` prints them')
    .option(
      '--repair <file>',
      'JSON lines {partition, offset, record}: the records that replace the payloads',
    )
    .action(async (options: { queue: Queue; code?: string; offsets?: string; repair?: string }) => {
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
      const resender = new Resender(context);
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
    });

  return dlq;
}

/**
 * Builds the message that goes back: to the input topic of the dead letter's stream, so it passes
 * the gate again — its checks and, for a deduplicated stream, its event-id claim: a record that
 * was accepted before (a dead letter of inference) carries its claim header and takes the claim
 * over once, so resending the same dead letter twice yields one prediction and one DUPLICATE.
 */
class Resender {
  /** Input and validated topics → the stream's input topic. */
  private readonly targets: Map<string, string>;

  constructor(context: CliContext) {
    const t = context.topics;
    this.targets = new Map([
      [t.name('events'), t.name('events')],
      [t.name('eventsValidated'), t.name('events')],
      [t.name('outcomes'), t.name('outcomes')],
      [t.name('outcomesValidated'), t.name('outcomes')],
    ]);
  }

  message(dead: TopicRecord, repaired: Record<string, unknown> | undefined): { topic: string; out: Message } {
    const source = headerText(dead.headers, Headers.sourceTopic);
    const where = `dead letter ${dead.partition}:${dead.offset}`;
    if (source === undefined) throw new Error(`${where} has no ${Headers.sourceTopic} header`);
    const topic = this.targets.get(source);
    if (topic === undefined) {
      throw new Error(
        `${where} came from ${source}, which is not an input or validated topic of this catalogue`,
      );
    }
    const headers = originalHeaders(dead.headers);
    const dropped = headerText(dead.headers, Headers.dlqDropped);
    if (repaired === undefined && dropped !== undefined) {
      throw new Error(
        `${where} does not hold its record (too large to copy: ${dropped} bytes); resend the original from ${source} partition ${headerText(dead.headers, Headers.sourcePartition) ?? '?'} offset ${headerText(dead.headers, Headers.sourceOffset) ?? '?'}, or give a --repair`,
      );
    }
    if (repaired === undefined) return { topic, out: { key: dead.key, value: dead.value, headers } };
    // The gate validates JSON exactly like Avro (and dead-letters it again when still bad).
    const { [Headers.schemaName]: _avroSchema, ...jsonHeaders } = headers;
    jsonHeaders[Headers.contentType] = ContentTypes.json;
    return { topic, out: { key: dead.key, value: JSON.stringify(repaired), headers: jsonHeaders } };
  }
}
