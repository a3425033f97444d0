/**
 * Test fixture (demo data is allowed in tests, never in the service): real flights from
 * vega-datasets, materialized into Redis under a random key prefix, and produced as validated
 * departures. The expected scores come from the OFFLINE feature computation and the TypeScript
 * forward pass of the model file, never from the predictions themselves.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import type { Redis } from 'ioredis';
import {
  ContentTypes,
  createDecoder,
  encodeSingleObject,
  Headers,
  loadSchemaHistory,
  type Prediction,
  type TopicCatalogue,
} from '@streamscore/contracts';
import { computeOfflineRows, FeatureMaterializer, type FeatureRecord } from '@streamscore/features';
import { FeatureVectorBuilder, readManifest } from '@streamscore/models';
import { mlpForward, readMlpFromOnnx } from '@streamscore/training';
import { readTopicToEnd, type ReadMessage } from '@streamscore/testing';
import {
  loadFlightsJson,
  toFlightEvents,
  type Flight,
  type FlightDeparture,
  type FlightOutcome,
} from '../data';
import { loadFlightFeatureViews } from '../feature-views';
import { runTsx } from '../model/run-tsx';

export const ROOT = join(__dirname, '..', '..', '..');
export const PIPELINE = join(ROOT, 'demo', 'flights', 'pipeline.json');
export const MODEL_DIR = join(ROOT, 'models', 'flight-delay', '1');

/**
 * Writes `file`: the demo's pipeline (its streams, schemas and feature views, by absolute path)
 * serving `model` from another model repository, e.g. a test's private one.
 */
export function writeDemoPipelineServing(file: string, modelRepository: string, model: string): string {
  const flights = join(ROOT, 'demo', 'flights');
  const demo = JSON.parse(readFileSync(PIPELINE, 'utf8')) as { streams: unknown };
  writeFileSync(
    file,
    JSON.stringify({
      streams: demo.streams,
      featureViews: join(flights, 'feature-views.json'),
      modelRepository,
      model,
    }).replaceAll('"schemas/', `"${flights}/schemas/`),
  );
  return file;
}
const HOUR_MS = 3_600_000;

export interface FlightStream {
  /** Every departure and outcome of the cut: the feature sources. */
  readonly departures: FlightDeparture[];
  readonly outcomes: FlightOutcome[];
  /** The departures produced for scoring. */
  readonly scored: FlightDeparture[];
}

/** Flights in the largest JSON cut; bigger streams come from the parquet file. */
const JSON_CUT_FLIGHTS = 20_000;

/** The first `count` departures of the 20k cut (and every outcome, as feature source). */
export function flightStream(count: number): FlightStream {
  const { departures, outcomes } = toFlightEvents(loadFlightsJson('20k'));
  if (count > departures.length)
    throw new RangeError(`the 20k cut has ${departures.length} flights, asked ${count}`);
  return { departures, outcomes, scored: departures.slice(0, count) };
}

/**
 * Up to 20,000 the JSON cut (flightStream); beyond, the first `count` flights of the 3M-row
 * parquet file and the rest of their last day as feature sources. hyparquet is ESM-only and Jest
 * cannot load it, so a tsx child process writes the flights to a temporary JSON file.
 */
export async function loadFlightStream(count: number): Promise<FlightStream> {
  if (count <= JSON_CUT_FLIGHTS) return flightStream(count);
  const directory = mkdtempSync(join(tmpdir(), 'streamscore-flights-'));
  try {
    const out = join(directory, 'flights.json');
    await runTsx(['demo/flights/testing/write-first-flights.ts', out, String(count)], 120_000);
    const { departures, outcomes } = toFlightEvents(JSON.parse(readFileSync(out, 'utf8')) as Flight[]);
    return { departures, outcomes, scored: departures.slice(0, count) };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/**
 * Writes both streams into the online store in time order (nothing is late, so online equals
 * offline), then one record per source far past the last event on an entity no flight has, which
 * moves every view's watermark past all event times (complete reads, no stale flag).
 */
export async function materializeFlights(redis: Redis, all: FlightStream): Promise<string> {
  const keyPrefix = `test:${randomUUID()}:`;
  const materializer = new FeatureMaterializer(redis, loadFlightFeatureViews(), { keyPrefix });
  const sources: [string, FeatureRecord[]][] = [
    ['events', [...all.departures].sort((a, b) => a.scheduledAt - b.scheduledAt)],
    ['outcomes', [...all.outcomes].sort((a, b) => a.knownAt - b.knownAt)],
  ];
  // A loop, not Math.max(...array): spreading 100k+ arguments overflows the stack.
  let last = -Infinity;
  for (const o of all.outcomes) last = Math.max(last, o.knownAt, o.scheduledAt);
  const beyond = last + 48 * HOUR_MS;
  const sentinel = { eventId: 'watermark', origin: '~', destination: '~', distance: 1, delayMinutes: 0 };
  for (const [source, records] of sources) {
    for (let i = 0; i < records.length; i += 500)
      await materializer.applyRecords(source, records.slice(i, i + 500));
    await materializer.applyRecords(source, [{ ...sentinel, scheduledAt: beyond, knownAt: beyond }]);
  }
  return keyPrefix;
}

export async function deleteKeys(redis: Redis, keyPrefix: string): Promise<void> {
  const keys = await redis.keys(`${keyPrefix}*`);
  for (let i = 0; i < keys.length; i += 1_000) await redis.del(...keys.slice(i, i + 1_000));
}

/** Departures as validated events (canonical single-object Avro keyed by origin), one bad record every `badEvery`. */
export async function produceValidated(
  kafka: Kafka,
  topic: string,
  departures: readonly FlightDeparture[],
  badEvery: number,
): Promise<{ bad: number }> {
  const type = loadSchemaHistory(join(ROOT, 'demo', 'flights', 'schemas', 'flight-departure')).latest.type;
  const producer = kafka.producer();
  await producer.connect();
  let bad = 0;
  const messages = departures.flatMap((d, i) => {
    const good = {
      key: d.origin,
      value: encodeSingleObject(type, { ...d, carrier: null }),
      headers: { [Headers.contentType]: ContentTypes.avro },
    };
    if (badEvery <= 0 || i % badEvery !== badEvery - 1) return [good];
    bad += 1;
    return [good, { key: d.origin, value: Buffer.from(`not avro ${i}`), headers: {} }];
  });
  for (let i = 0; i < messages.length; i += 1_000)
    await producer.send({ topic, messages: messages.slice(i, i + 1_000) });
  await producer.disconnect();
  return { bad };
}

/** eventId → its place in the input topic (the order the predictions must keep). */
export async function inputPositions(
  kafka: Kafka,
  catalogue: TopicCatalogue,
  expected: number,
): Promise<Map<string, { partition: number; offset: bigint }>> {
  const decoder = loadSchemaHistory(join(ROOT, 'demo', 'flights', 'schemas', 'flight-departure')).latest.type;
  // A deadline of a minute per 10,000 records (at least one), so large runs are not cut short.
  const timeoutMs = Math.max(60_000, expected * 6);
  const read = await readTopicToEnd(kafka, catalogue.name('eventsValidated'), { expected, timeoutMs });
  const positions = new Map<string, { partition: number; offset: bigint }>();
  for (const m of read) {
    if (!m.value || m.value[0] !== 0xc3) continue;
    const record = decoder.decode(m.value, 10).value as { eventId: string };
    positions.set(record.eventId, { partition: m.partition, offset: BigInt(m.offset) });
  }
  return positions;
}

/** eventId → the score the TypeScript forward pass gives on OFFLINE features. */
export async function expectedScores(all: FlightStream): Promise<Map<string, number>> {
  const { scored } = all;
  const manifest = await readManifest(MODEL_DIR);
  const input = manifest.inputs[0];
  if (!input) throw new Error('manifest has no input');
  const offline = computeOfflineRows(
    loadFlightFeatureViews(),
    { events: all.departures, outcomes: all.outcomes },
    scored.map((record) => ({ record, atMs: record.scheduledAt })),
  );
  const { tensor, issues } = new FeatureVectorBuilder(input).build(scored, offline);
  if (issues.length > 0) throw new Error(`offline rows with issues: ${issues.length}`);
  const scores = mlpForward(
    readMlpFromOnnx(readFileSync(join(MODEL_DIR, manifest.model.file))),
    tensor,
    scored.length,
  );
  return new Map(scored.map((d, i) => [d.eventId, scores[i] ?? Number.NaN]));
}

/** Environment of a test inference process on a topic namespace and a feature key prefix. */
export function inferenceEnv(
  topicPrefix: string,
  keyPrefix: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '',
    REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: keyPrefix,
    TOPIC_PREFIX: topicPrefix,
    TOPIC_PARTITIONS: '3',
    STREAMSCORE_PIPELINE: PIPELINE,
    STREAMSCORE_SCHEMAS_DIR: join(ROOT, 'schemas'),
    STREAMSCORE_GROUP_ID: `${topicPrefix}-group`,
    STREAMSCORE_FEATURE_MAX_WAIT_MS: '200',
    ...extra,
  };
}

/** Decodes prediction records (the test never trusts their features, only ids, versions and roles). */
export async function decodePredictions(messages: readonly ReadMessage[]): Promise<Prediction[]> {
  const decoder = createDecoder<Prediction>(loadSchemaHistory(join(ROOT, 'schemas', 'prediction')));
  const out: Prediction[] = [];
  for (const m of messages) {
    const result = await decoder.decode(m.value, m.headers);
    if (!result.ok) throw new Error(`undecodable prediction: ${result.reason}`);
    out.push(result.record);
  }
  return out;
}
