import type { Admin, Kafka } from 'kafkajs';
import { TopicCatalogue } from '@streamscore/contracts';
import {
  createTestTopics,
  randomName,
  readTopicToEnd,
  startStack,
  testKafka,
  type ReadMessage,
} from '@streamscore/testing';
import { cpuSecondsOf } from './cpu-clock';

/** One line of benchmark output (the last lines a benchmark prints). */
export interface Measure {
  readonly case: string;
  readonly measure: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: number;
  readonly ratio?: number;
}

/** Prints the measure lines; fails instead, naming them, when an output count was wrong. */
export function printMeasures(measures: readonly Measure[]): void {
  assertCounts();
  for (const m of measures) process.stdout.write(`${JSON.stringify(m)}\n`);
}

export function progress(message: string): void {
  process.stderr.write(`  ${message}\n`);
}

/**
 * Every STREAMSCORE_* setting in the bench's environment, to pass on to the service under test,
 * e.g. STREAMSCORE_OVERLAP_DELIVERY=false to measure without overlapped delivery.
 */
export function serviceSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] =>
        entry[0].startsWith('STREAMSCORE_') &&
        entry[0] !== 'STREAMSCORE_SERVICE_NODE_ARGS' &&
        entry[1] !== undefined,
    ),
  );
}

/** The output counts found wrong so far (expectCount, expectEachOnce), for assertCounts. */
const wrongCounts: string[] = [];

/**
 * Prints one output count (stdout, before the measure lines) and records it when it is not the
 * expected one; assertCounts (called by printMeasures) then fails the bench, naming expected and
 * actual of each: a bench prints measures only of runs that did all their work, and a run with a
 * wrong count still goes on to print every other count.
 */
export function expectCount(what: string, actual: number, expected: number): void {
  const wrong = actual !== expected;
  process.stdout.write(`count ${what}: ${actual} (expected ${expected})${wrong ? ' WRONG' : ''}\n`);
  if (wrong) wrongCounts.push(`count ${what}: expected ${expected}, actual ${actual}`);
}

/** Fails (throws) when any output count checked so far was wrong, naming each. */
export function assertCounts(): void {
  if (wrongCounts.length > 0)
    throw new Error(`${wrongCounts.length} wrong output count(s): ${wrongCounts.join('; ')}`);
}

/**
 * Checks that every id of `expected` is among `actual` exactly once and nothing else is; prints the
 * count and, when wrong, records it for assertCounts naming the missing, duplicated and unexpected
 * ids (the first few of each).
 */
export function expectEachOnce(
  what: string,
  actual: readonly (string | undefined)[],
  expected: readonly string[],
): void {
  const seen = new Map<string, number>();
  for (const id of actual) seen.set(id ?? '(no id)', (seen.get(id ?? '(no id)') ?? 0) + 1);
  const wanted = new Set(expected);
  const missing = expected.filter((id) => !seen.has(id));
  const duplicated = [...seen].filter(([id, n]) => n > 1 && wanted.has(id)).map(([id]) => id);
  const unexpected = [...seen.keys()].filter((id) => !wanted.has(id));
  const wrong =
    actual.length !== expected.length || missing.length + duplicated.length + unexpected.length > 0;
  process.stdout.write(
    `count ${what}: ${actual.length} (expected ${expected.length}, each id once)` +
      (wrong
        ? ` WRONG: ${missing.length} missing, ${duplicated.length} duplicated, ${unexpected.length} unexpected`
        : '') +
      '\n',
  );
  if (wrong) {
    const few = (ids: string[]): string => ids.slice(0, 5).join(', ') + (ids.length > 5 ? ', …' : '');
    wrongCounts.push(
      `count ${what}: expected ${expected.length} (each id once), actual ${actual.length}; ` +
        `missing ${missing.length} [${few(missing)}], duplicated ${duplicated.length} [${few(duplicated)}], ` +
        `unexpected ${unexpected.length} [${few(unexpected)}]`,
    );
  }
}

/**
 * What a service (or a baseline) wrote to `topic`, read back read_committed from its beginning to
 * its end once at least `expected` records are there (fails after `timeoutMs`, naming how many it
 * read of how many expected); more than expected are read too, for the count to catch them.
 */
export function readOutputs(
  kafka: Kafka,
  topic: string,
  expected: number,
  timeoutMs = 30_000,
): Promise<ReadMessage[]> {
  return readTopicToEnd(kafka, topic, {
    isolation: 'read_committed',
    expected,
    timeoutMs,
    groupPrefix: 'bench-count',
  });
}

export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The local stack (reused when it already answers), its addresses exported for child processes. */
export async function benchStack(): Promise<{
  kafka: Kafka;
  admin: Admin;
  brokers: string;
  redisUrl: string;
}> {
  const stack = await startStack();
  process.env['KAFKA_BROKERS'] = stack.kafkaBrokers;
  process.env['REDIS_URL'] = stack.redisUrl;
  const kafka = testKafka();
  const admin = kafka.admin();
  await admin.connect();
  return { kafka, admin, brokers: stack.kafkaBrokers, redisUrl: stack.redisUrl };
}

export async function benchCatalogue(
  admin: Admin,
  name: string,
  partitions: number,
): Promise<TopicCatalogue> {
  return (await benchTopics(admin, name, partitions)).catalogue;
}

/** benchCatalogue with its prefix, for processes that build the same catalogue themselves. */
export async function benchTopics(
  admin: Admin,
  name: string,
  partitions: number,
): Promise<{ prefix: string; catalogue: TopicCatalogue }> {
  const prefix = randomName(`bench-${name}`);
  const catalogue = new TopicCatalogue({ prefix, partitions });
  await createTestTopics(admin, catalogue.all());
  return { prefix, catalogue };
}

/** Produces pre-built messages in batches of `batch` (kafkajs has no linger: batching is what we pass). */
export async function produceAll(
  kafka: Kafka,
  topic: string,
  messages: readonly { key: string; value: Buffer }[],
  batch = 1_000,
): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < messages.length; i += batch) {
    await producer.send({ topic, messages: messages.slice(i, i + batch) });
    if (i % 50_000 === 0) progress(`produced ${i} / ${messages.length}`);
  }
  await producer.disconnect();
}

export async function committed(admin: Admin, groupId: string, topic: string): Promise<number> {
  const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (offsets[0]?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

/**
 * Rate at which a consumer group commits `total` records: measured from the first commit seen to
 * the last, so process start-up and the group join are excluded on both sides of a comparison.
 */
/** A committed rate and the CPU spent over the same window, per record. */
export interface CommitMeasure {
  readonly rate: number;
  /** CPU µs per record over the rate's window; NaN when no clock was given. */
  readonly cpuUsPerRecord: number;
}

export async function commitRate(
  admin: Admin,
  groupId: string,
  topic: string,
  total: number,
  timeoutMs = 600_000,
): Promise<number> {
  return (await commitMeasure(admin, groupId, topic, total, undefined, timeoutMs)).rate;
}

/**
 * Records/s committed by `groupId` on `topic` from its first commit until `total`, and with a CPU
 * clock (cpuSecondsOf) the CPU µs per record over that same window: start-up is left out of both.
 */
export async function commitMeasure(
  admin: Admin,
  groupId: string,
  topic: string,
  total: number,
  cpuSeconds: (() => number) | undefined,
  timeoutMs = 600_000,
): Promise<CommitMeasure> {
  const deadline = Date.now() + timeoutMs;
  let first: { at: number; count: number; cpu: number } | undefined;
  let lastReport = 0;
  for (;;) {
    const count = await committed(admin, groupId, topic);
    const now = performance.now();
    if (!first && count > 0) first = { at: now, count, cpu: cpuSeconds?.() ?? Number.NaN };
    if (count >= total && first) {
      if (count === first.count) throw new Error('all records were committed in one step; use more records');
      const cpu = (cpuSeconds?.() ?? Number.NaN) - first.cpu;
      return {
        rate: ((count - first.count) / (now - first.at)) * 1000,
        cpuUsPerRecord: (cpu * 1e6) / (count - first.count),
      };
    }
    if (Date.now() - lastReport > 5_000) {
      progress(`${groupId}: committed ${count} / ${total}`);
      lastReport = Date.now();
    }
    if (Date.now() > deadline)
      throw new Error(`${groupId} committed ${count} of ${total} in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The Kafka baseline: a plain kafkajs pass-through, eachBatch plus one sendBatch per batch, same
 * partitions and message size. Returns records/s committed.
 */
export async function passThroughRate(
  kafka: Kafka,
  admin: Admin,
  input: string,
  output: string,
  total: number,
): Promise<number> {
  return (await passThrough(kafka, admin, input, output, total)).rate;
}

/** passThroughRate with the CPU per record of this process (where the pass-through runs). */
export async function passThrough(
  kafka: Kafka,
  admin: Admin,
  input: string,
  output: string,
  total: number,
): Promise<CommitMeasure> {
  const groupId = randomName('bench-passthrough');
  const producer = kafka.producer();
  await producer.connect();
  // Fetches of at most 512 KB per partition keep one sendBatch under the broker's 1 MB batch limit.
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, maxBytesPerPartition: 524_288 });
  await consumer.connect();
  await consumer.subscribe({ topics: [input], fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 6,
    eachBatch: async ({ batch }) => {
      await producer.sendBatch({
        topicMessages: [
          { topic: output, messages: batch.messages.map((m) => ({ key: m.key, value: m.value })) },
        ],
      });
    },
  });
  try {
    const measured = await commitMeasure(admin, groupId, input, total, () => cpuSecondsOf());
    // Offsets are committed after each sendBatch: every copy is on the output by now.
    const copies = await readOutputs(kafka, output, total);
    expectCount(`pass-through copies on ${output}`, copies.length, total);
    return measured;
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
}
