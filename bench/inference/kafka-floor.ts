import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { IHeaders, Kafka } from 'kafkajs';
import { randomName } from '@streamscore/testing';

/** One record as the service writes it: its value and headers are copied onto every output. */
export interface OutputTemplate {
  readonly value: Buffer;
  readonly headers: IHeaders;
}

export interface FloorRun {
  readonly input: string;
  readonly output: string;
  readonly total: number;
  readonly value: string;
  readonly headers: Record<string, string>;
}

/**
 * The Kafka work alone of the inference service: the same runner (libs/kafka), settings,
 * exactly-once transactions and record encoders, writing one record of the service's output size
 * and headers per input record, with no decoding, features or scoring. Its rate bounds what any
 * handler on this transport reaches on this machine. It runs in a process of its own
 * (kafka-floor-run.ts), like the service, so it does not share the bench process' event loop.
 */
export async function kafkaFloorRate(
  input: string,
  output: string,
  total: number,
  template: OutputTemplate,
): Promise<number> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(template.headers))
    if (value !== undefined && !Array.isArray(value)) headers[name] = value.toString();
  const run: FloorRun = { input, output, total, value: template.value.toString('base64'), headers };
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--require', 'tsx/cjs', join(__dirname, 'kafka-floor-run.ts'), JSON.stringify(run)],
    { maxBuffer: 16 * 2 ** 20 },
  );
  const last = stdout.trim().split('\n').pop() ?? '';
  const rate = (JSON.parse(last) as { rate: number }).rate;
  if (!(rate > 0)) throw new Error(`the floor run printed no rate: ${last}`);
  return rate;
}

/** The first committed record of a topic, as a template for the floor's outputs. */
export async function firstRecord(kafka: Kafka, topic: string): Promise<OutputTemplate> {
  const consumer = kafka.consumer({ groupId: randomName('bench-template'), readUncommitted: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    return await new Promise<OutputTemplate>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no record on ${topic} within 30 s`));
      }, 30_000);
      void consumer.run({
        eachMessage: ({ message }) => {
          if (message.value) {
            clearTimeout(timer);
            resolve({ value: message.value, headers: message.headers ?? {} });
          }
          return Promise.resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
}
