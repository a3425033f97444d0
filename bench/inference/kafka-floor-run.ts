import { PartitionBatchRunner } from '@streamscore/kafka';
import { randomName, testKafka } from '@streamscore/testing';
import { commitRate } from '../common/bench-kit';
import type { FloorRun } from './kafka-floor';

/** The floor run itself, in its own process (see kafka-floor.ts). Prints `{"rate":…}` last. */
async function runFloor(run: FloorRun): Promise<number> {
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
    handler: {
      handle: (batch) =>
        Promise.resolve({
          outputs: batch.messages.map((m) => ({
            topic: run.output,
            key: m.key,
            value,
            headers: run.headers,
          })),
        }),
    },
  });
  await runner.start();
  try {
    return await commitRate(admin, groupId, run.input, run.total);
  } finally {
    await runner.stop();
    await admin.disconnect();
  }
}

void runFloor(JSON.parse(process.argv[2] ?? '{}') as FloorRun).then(
  (rate) => {
    process.stdout.write(`${JSON.stringify({ rate })}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
