import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { IHeaders, Kafka } from 'kafkajs';
import { PartitionBatchRunner, useFastKafkaEncoders } from '@streamscore/kafka';
import { randomName, testKafka } from '@streamscore/testing';
import { commitRate } from '../common/bench-kit';

/** One record as the service writes it: its value and headers are copied onto every output. */
export interface OutputTemplate {
  readonly value: Buffer;
  readonly headers: IHeaders;
}

interface FloorRun {
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
 * handler on this transport reaches on this machine. It runs in a process of its own because the
 * bench process keeps kafkajs' own encoders for the pass-through baseline.
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
    ['--require', 'tsx/cjs', __filename, JSON.stringify(run)],
    { maxBuffer: 16 * 2 ** 20 },
  );
  const last = stdout.trim().split('\n').pop() ?? '';
  const rate = (JSON.parse(last) as { rate: number }).rate;
  if (!(rate > 0)) throw new Error(`the floor run printed no rate: ${last}`);
  return rate;
}

async function runFloor(run: FloorRun): Promise<number> {
  const encoders = useFastKafkaEncoders();
  if (encoders !== 'installed') throw new Error(`record encoders not installed: ${encoders}`);
  const kafka = testKafka();
  const admin = kafka.admin();
  await admin.connect();
  const value = Buffer.from(run.value, 'base64');
  const groupId = randomName('bench-floor');
  const runner = new PartitionBatchRunner({
    kafka,
    groupId,
    topics: [run.input],
    delivery: 'exactly-once',
    overlapDelivery: true,
    // The inference service's defaults (apps/inference/src/config.ts).
    maxBatchRows: 1_000,
    maxBatchWaitMs: 50,
    maxBytesPerPartition: 1_048_576,
    partitionsConsumedConcurrently: 3,
    fromBeginning: true,
    handler: (batch) =>
      Promise.resolve(
        batch.messages.map((m) => ({ topic: run.output, key: m.key, value, headers: run.headers })),
      ),
  });
  await runner.start();
  try {
    return await commitRate(admin, groupId, run.input, run.total);
  } finally {
    await runner.stop();
    await admin.disconnect();
  }
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

if (require.main === module) {
  runFloor(JSON.parse(process.argv[2] ?? '{}') as FloorRun).then(
    (rate) => {
      process.stdout.write(`${JSON.stringify({ rate })}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
