import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { Headers, TopicCatalogue, type Prediction } from '@streamscore/contracts';
import { FeatureMaterializer, type FeatureRecord } from '@streamscore/features';
import { createRedis } from '@streamscore/platform';
import { createTestTopics, randomName, readTopicToEnd } from '@streamscore/testing';
import {
  decodePredictions,
  flightStream,
  type FlightStream,
  loadFlightFeatureViews,
  PIPELINE,
  produceValidated,
  ROOT,
} from '@streamscore/demo-flights/testing';
import { awaitInputCommitted, type ChaosStack } from './chaos-stack';

/** The flights cut holds 20,000 departures (demo/flights/testing/flight-stream.ts). */
const FLIGHTS_CUT = 20_000;
const HOUR_MS = 3_600_000;
/** One undecodable record per this many events: the prediction dead-letter path is exercised too. */
export const BAD_EVERY = 500;

/** An inference run's topics, feature key prefix, the events produced, and the service settings. */
export interface InferenceRun {
  readonly catalogue: TopicCatalogue;
  readonly groupId: string;
  readonly keyPrefix: string;
  readonly stream: FlightStream;
  readonly events: number;
  readonly bad: number;
  readonly env: Record<string, string>;
}

/**
 * Real departures, repeated past the 20k cut with a round suffix on the event id (a repeat reads the
 * same features as its original, so its expected score is the original's).
 */
export function chaosFlightStream(events: number): FlightStream {
  const base = flightStream(Math.min(events, FLIGHTS_CUT));
  const scored = Array.from({ length: events }, (_, i) => {
    const original = base.scored[i % base.scored.length];
    if (original === undefined) throw new Error('empty flights cut');
    const round = Math.floor(i / base.scored.length);
    return round === 0 ? original : { ...original, eventId: `${original.eventId}~${round}` };
  });
  return { ...base, scored };
}

/**
 * Writes both streams into the stack's Redis under `keyPrefix`, the way the inference tests do
 * (materializeFlights: time order, then a sentinel far past the last event so every view's
 * watermark covers all event times). The private redis-server keeps nothing across a restart, so
 * the Redis outage scenario calls this again, as the features service's rebuild would.
 */
export async function materializeInto(
  chaos: ChaosStack,
  stream: FlightStream,
  keyPrefix = `chaos:${randomUUID()}:`,
): Promise<string> {
  const redis = createRedis({ url: chaos.stack.redisUrl });
  try {
    const materializer = new FeatureMaterializer(redis, loadFlightFeatureViews(), { keyPrefix });
    const last = Math.max(...stream.outcomes.map((o) => Math.max(o.knownAt, o.scheduledAt)));
    const beyond = last + 48 * HOUR_MS;
    const sentinel = { eventId: 'watermark', origin: '~', destination: '~', distance: 1, delayMinutes: 0 };
    const sources: [string, FeatureRecord[]][] = [
      ['events', [...stream.departures].sort((a, b) => a.scheduledAt - b.scheduledAt)],
      ['outcomes', [...stream.outcomes].sort((a, b) => a.knownAt - b.knownAt)],
    ];
    for (const [source, records] of sources) {
      for (let i = 0; i < records.length; i += 500)
        await materializer.applyRecords(source, records.slice(i, i + 500));
      await materializer.applyRecords(source, [{ ...sentinel, scheduledAt: beyond, knownAt: beyond }]);
    }
    return keyPrefix;
  } finally {
    await redis.quit();
  }
}

/**
 * Topics (3 partitions), the online store filled before the run (nothing late, so online equals
 * offline), and the validated departures produced with one bad record every BAD_EVERY.
 */
export async function prepareInference(
  chaos: ChaosStack,
  events: number,
  settings: Record<string, string> = {},
): Promise<InferenceRun> {
  const prefix = randomName('chaosinf');
  const catalogue = new TopicCatalogue({ prefix, partitions: 3 });
  await createTestTopics(chaos.admin, catalogue.all());
  const stream = chaosFlightStream(events);
  const keyPrefix = await materializeInto(chaos, stream);
  const { bad } = await produceValidated(
    chaos.kafka,
    catalogue.name('eventsValidated'),
    stream.scored,
    BAD_EVERY,
  );
  const groupId = `${prefix}-group`;
  return {
    catalogue,
    groupId,
    keyPrefix,
    stream,
    events,
    bad,
    env: {
      // chaos.start() defaults KAFKA_BROKERS to the private broker; Redis must be named too.
      REDIS_URL: chaos.stack.redisUrl,
      REDIS_KEY_PREFIX: keyPrefix,
      TOPIC_PREFIX: prefix,
      TOPIC_PARTITIONS: '3',
      STREAMSCORE_PIPELINE: PIPELINE,
      STREAMSCORE_SCHEMAS_DIR: join(ROOT, 'schemas'),
      STREAMSCORE_GROUP_ID: groupId,
      // Small batches and a short session: a fault lands mid-stream and a rejoin is quick.
      STREAMSCORE_MAX_BATCH_ROWS: '100',
      STREAMSCORE_SESSION_TIMEOUT_MS: '6000',
      STREAMSCORE_FEATURE_MAX_WAIT_MS: '200',
      ...settings,
    },
  };
}

export interface InferenceOutcome {
  readonly predicted: number;
  readonly deadLettered: number;
  readonly duplicates: number;
  readonly missing: number;
  readonly predictions: Prediction[];
}

/**
 * Reads both outputs with read_committed: a transaction left open by a killed producer would stall
 * the read (the test then times out short), aborted ones are skipped. Predictions are told apart by
 * event id, dead letters by the source partition:offset header they carry.
 */
export async function readInferenceOutcome(
  kafka: Kafka,
  run: InferenceRun,
  timeoutMs = 180_000,
): Promise<InferenceOutcome> {
  // The service's outputs and input offsets are one transaction: once the group committed all the
  // input, every output is visible and the end offsets taken by the reads below are final.
  await awaitInputCommitted(kafka, run.groupId, run.catalogue.name('eventsValidated'), timeoutMs);
  const raw = await readTopicToEnd(kafka, run.catalogue.name('predictions'), {
    isolation: 'read_committed',
    expected: run.events,
    timeoutMs,
  });
  const dead = await readTopicToEnd(kafka, run.catalogue.name('predictionsDeadLetter'), {
    isolation: 'read_committed',
    expected: run.bad,
    timeoutMs: 60_000,
  });
  const predictions = await decodePredictions(raw);
  const eventIds = new Set(predictions.map((p) => p.eventId));
  const sources = new Set(
    dead.map(
      (m) =>
        `${m.headers[Headers.sourcePartition]?.toString() ?? ''}:${m.headers[Headers.sourceOffset]?.toString() ?? ''}`,
    ),
  );
  return {
    predicted: predictions.length,
    deadLettered: dead.length,
    duplicates: predictions.length - eventIds.size + (dead.length - sources.size),
    missing: Math.max(0, run.events - eventIds.size) + Math.max(0, run.bad - sources.size),
    predictions,
  };
}

/** Sum of a Prometheus metric's samples carrying every given label. */
export async function metricSum(
  url: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .filter((l) => Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}
