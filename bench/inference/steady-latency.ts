import type { Admin, Kafka } from 'kafkajs';
import type { Type } from 'avsc';
import { ContentTypes, encodeSingleObject, Headers } from '@streamscore/contracts';
import {
  percentile as nearestRank,
  randomName,
  readTopicToEnd,
  type ReadMessage,
} from '@streamscore/testing';
import { committed, expectCount, progress } from '../common/bench-kit';
import type { FlightDeparture } from '@streamscore/demo-flights/testing';

/**
 * Latency at a steady input rate: departures are produced at `rate` per second (a send every
 * TICK_MS of what is due), each with an explicit timestamp. The topics keep Kafka's default
 * `message.timestamp.type=CreateTime`, so that timestamp is the input record's broker timestamp,
 * and the output record's is the one its producer stamped when it sent it.
 */
const TICK_MS = 20;

export interface SteadyRun {
  /** eventId → input record timestamp (ms). */
  readonly sentAt: Map<string, number>;
  readonly produced: number;
  readonly seconds: number;
}

/** Departures renamed with a suffix so a latency phase never shares an eventId with an earlier phase. */
export function relabel(
  departures: readonly FlightDeparture[],
  count: number,
  suffix: string,
): FlightDeparture[] {
  const out: FlightDeparture[] = [];
  for (let i = 0; i < count; i++) {
    const d = departures[i % departures.length];
    if (!d) break;
    out.push({ ...d, eventId: `${d.eventId}~${suffix}${Math.floor(i / departures.length)}` });
  }
  return out;
}

export async function produceSteady(
  kafka: Kafka,
  topic: string,
  type: Type,
  departures: readonly FlightDeparture[],
  rate: number,
): Promise<SteadyRun> {
  const producer = kafka.producer();
  await producer.connect();
  const sentAt = new Map<string, number>();
  const started = performance.now();
  let next = 0;
  let lastReport = 0;
  try {
    while (next < departures.length) {
      const due = Math.min(departures.length, Math.floor(((performance.now() - started) / 1000) * rate));
      if (due > next) {
        const now = Date.now();
        const messages = departures.slice(next, due).map((d) => {
          sentAt.set(d.eventId, now);
          return {
            key: d.origin,
            value: encodeSingleObject(type, { ...d, carrier: null }),
            headers: { [Headers.contentType]: ContentTypes.avro },
            timestamp: String(now),
          };
        });
        await producer.send({ topic, messages });
        next = due;
      }
      if (Date.now() - lastReport > 5_000) {
        progress(`steady ${rate.toFixed(0)}/s: produced ${next} / ${departures.length}`);
        lastReport = Date.now();
      }
      await new Promise((r) => setTimeout(r, TICK_MS));
    }
  } finally {
    await producer.disconnect();
  }
  return { sentAt, produced: next, seconds: (performance.now() - started) / 1000 };
}

/** Waits until a group has committed `total` offsets on `topic`. */
export async function awaitCommitted(
  admin: Admin,
  groupId: string,
  topic: string,
  total: number,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const count = await committed(admin, groupId, topic);
    if (count >= total) return;
    if (Date.now() > deadline) throw new Error(`${groupId} committed ${count} of ${total}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The shared nearest-rank rule (libs/testing measure-window.ts) over unsorted values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  return nearestRank(
    [...values].sort((a, b) => a - b),
    p,
  );
}

/**
 * Output timestamp − input timestamp for every output whose eventId (read by `idOf`) was sent in
 * this run; read with read_committed, so only committed outputs count.
 */
export async function latencies(
  kafka: Kafka,
  topic: string,
  run: SteadyRun,
  expected: number,
  idOf: (message: ReadMessage) => Promise<string | undefined>,
): Promise<number[]> {
  const read = await readTopicToEnd(kafka, topic, {
    isolation: 'read_committed',
    expected,
    timeoutMs: 90_000,
  });
  const out: number[] = [];
  for (const m of read) {
    const id = await idOf(m);
    const sent = id === undefined ? undefined : run.sentAt.get(id);
    if (sent !== undefined) out.push(Number(m.timestamp) - sent);
  }
  expectCount(`outputs on ${topic} of this run's ${run.produced} inputs`, out.length, run.produced);
  return out;
}

/**
 * The Kafka baseline kept running for a latency phase: the same settings as bench-kit's
 * passThroughRate (eachBatch, one sendBatch per batch, 512 KB fetches, 100 ms max wait).
 */
export async function startPassThrough(
  kafka: Kafka,
  input: string,
  output: string,
): Promise<{ groupId: string; stop: () => Promise<void> }> {
  const groupId = randomName('bench-passthrough-latency');
  // Idempotent: a retried produce request (its answer lost under load) must not write a record
  // twice, or the bench's count of the copies fails; the service it is compared with writes once.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, maxBytesPerPartition: 524_288 });
  await consumer.connect();
  await consumer.subscribe({ topics: [input], fromBeginning: true });
  const joined = { done: false };
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined.done = true;
  });
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
  const deadline = Date.now() + 30_000;
  while (!joined.done && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return {
    groupId,
    stop: async () => {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}
