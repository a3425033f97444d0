import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { Headers, TopicCatalogue, type Prediction } from '@streamscore/contracts';
import { FeatureMaterializer, type FeatureRecord } from '@streamscore/features';
import { createRedis } from '@streamscore/platform';
import { createTestTopics, randomName, readTopicToEnd, type ReadMessage } from '@streamscore/testing';
import {
  decodePredictions,
  flightStream,
  inputPositions,
  type FlightStream,
  loadFlightFeatureViews,
  PIPELINE,
  produceValidated,
  ROOT,
} from '@streamscore/demo-flights/testing';
import { printAccounting } from './accounting';
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
 * offline), and the validated departures produced with one bad record every BAD_EVERY (unless
 * `produce` is false: the scenario produces them with `produceInput`).
 */
export async function prepareInference(
  chaos: ChaosStack,
  events: number,
  settings: Record<string, string> = {},
  { produce = true }: { readonly produce?: boolean } = {},
): Promise<InferenceRun> {
  const prefix = randomName('chaosinf');
  const catalogue = new TopicCatalogue({ prefix, partitions: 3 });
  await createTestTopics(chaos.admin, catalogue.all());
  const stream = chaosFlightStream(events);
  const keyPrefix = await materializeInto(chaos, stream);
  const groupId = `${prefix}-group`;
  const run: InferenceRun = {
    catalogue,
    groupId,
    keyPrefix,
    stream,
    events,
    // produceValidated writes a bad record after every BAD_EVERY-th event.
    bad: Math.floor(events / BAD_EVERY),
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
  if (produce) await produceInput(chaos, run, 0, events);
  return run;
}

/**
 * The run as far as its first `events` went out (a multiple of BAD_EVERY, with their bad records):
 * a scenario that stops its input early accounts for what it sent, not for the whole stream.
 */
export function producedPart(run: InferenceRun, events: number): InferenceRun {
  if (events % BAD_EVERY !== 0 || events > run.events)
    throw new Error(`a produced part is a multiple of ${BAD_EVERY} up to ${run.events}, not ${events}`);
  return { ...run, events, bad: events / BAD_EVERY };
}

/**
 * Produces the run's events [from, to) with their bad records (one after every BAD_EVERY-th
 * event, as in the whole input): `from` must be a multiple of BAD_EVERY.
 */
export async function produceInput(
  chaos: ChaosStack,
  run: InferenceRun,
  from: number,
  to: number,
): Promise<void> {
  if (from % BAD_EVERY !== 0) throw new Error(`input slices start at multiples of ${BAD_EVERY}, not ${from}`);
  await produceValidated(
    chaos.kafka,
    run.catalogue.name('eventsValidated'),
    run.stream.scored.slice(from, to),
    BAD_EVERY,
  );
}

/**
 * Events from `from` on produced in the background, a slice of `step` events (a multiple of
 * BAD_EVERY) every `intervalMs`, until `stop()` or `to`: input keeps flowing while a replica
 * starts and joins. `produced` is where the next slice would start.
 */
export class PacedInput {
  private reached = 0;
  private stopped = false;
  private wake: (() => void) | undefined;
  readonly done: Promise<void>;

  constructor(
    chaos: ChaosStack,
    run: InferenceRun,
    from: number,
    to: number,
    options: { readonly step: number; readonly intervalMs: number },
  ) {
    if (options.step <= 0 || options.step % BAD_EVERY !== 0)
      throw new Error(`paced slices are multiples of ${BAD_EVERY}, not ${options.step}`);
    this.reached = from;
    this.done = (async () => {
      while (!this.stopped && this.reached < to) {
        const next = Math.min(to, this.reached + options.step);
        await produceInput(chaos, run, this.reached, next);
        this.reached = next;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, options.intervalMs);
        });
      }
    })();
    // Awaited by the scenario later; until then a failure must not count as unhandled.
    this.done.catch(() => undefined);
  }

  get produced(): number {
    return this.reached;
  }

  /** No slice after the one being produced; resolves once that one is written. */
  async stop(): Promise<number> {
    this.stopped = true;
    this.wake?.();
    await this.done;
    return this.reached;
  }
}

export interface InferenceOutcome {
  readonly predicted: number;
  readonly deadLettered: number;
  readonly duplicates: number;
  readonly missing: number;
  readonly predictions: Prediction[];
  /** The prediction records as read (partition, offset, append timestamp), index for index with `predictions`. */
  readonly predictionRecords: readonly ReadMessage[];
  /** Each dead letter's source `partition:offset` in the input topic. */
  readonly deadLetterSources: string[];
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
  const deadLetterSources = dead.map(
    (m) =>
      `${m.headers[Headers.sourcePartition]?.toString() ?? ''}:${m.headers[Headers.sourceOffset]?.toString() ?? ''}`,
  );
  const sources = new Set(deadLetterSources);
  return {
    predicted: predictions.length,
    deadLettered: dead.length,
    duplicates: predictions.length - eventIds.size + (dead.length - sources.size),
    missing: Math.max(0, run.events - eventIds.size) + Math.max(0, run.bad - sources.size),
    predictions,
    predictionRecords: raw,
    deadLetterSources,
  };
}

/** Outcomes per input record: `expectedPerInput` is exact accounting. */
export interface PerInput {
  /** Records in the input topic (events and bad records). */
  readonly inputs: number;
  readonly withoutOutcome: number;
  /** Records with a prediction and a dead letter, or two of either. */
  readonly withMoreThanOne: number;
  /** Predictions of an event id, or dead letters of a position, the input does not hold. */
  readonly ofNoInput: number;
}

export function expectedPerInput(run: InferenceRun): PerInput {
  return { inputs: run.events + run.bad, withoutOutcome: 0, withMoreThanOne: 0, ofNoInput: 0 };
}

/**
 * Matches every outcome to its input record: a prediction by its event id's position in the input
 * topic, a dead letter by its source partition:offset. Every record of the input topic must have
 * exactly one, a prediction for an event and a dead letter for a bad record alike.
 */
export async function outcomesPerInput(
  chaos: ChaosStack,
  run: InferenceRun,
  outcome: InferenceOutcome,
): Promise<PerInput> {
  const positions = await inputPositions(chaos.kafka, run.catalogue, run.events + run.bad);
  const count = new Map<string, number>();
  // The input is written without transactions: its offsets [low, high) are all records.
  for (const p of await chaos.admin.fetchTopicOffsets(run.catalogue.name('eventsValidated')))
    for (let offset = Number(p.low); offset < Number(p.high); offset++)
      count.set(`${p.partition}:${offset}`, 0);
  let ofNoInput = 0;
  const seen = (position: string | undefined): void => {
    const n = position === undefined ? undefined : count.get(position);
    if (position === undefined || n === undefined) ofNoInput++;
    else count.set(position, n + 1);
  };
  for (const p of outcome.predictions) {
    const at = positions.get(p.eventId);
    seen(at && `${at.partition}:${at.offset}`);
  }
  for (const source of outcome.deadLetterSources) seen(source);
  const counts = [...count.values()];
  return {
    inputs: counts.length,
    withoutOutcome: counts.filter((n) => n === 0).length,
    withMoreThanOne: counts.filter((n) => n > 1).length,
    ofNoInput,
  };
}

/** The accounting line of an inference run; `sent` counts the bad records too. */
export function printInferenceAccounting(
  scenario: string,
  run: InferenceRun,
  outcome: InferenceOutcome,
  started: number,
  extra: Record<string, string | number>,
): void {
  printAccounting({
    scenario,
    sent: run.events + run.bad,
    validated: run.events + run.bad,
    deadLettered: outcome.deadLettered,
    predicted: outcome.predicted,
    duplicates: outcome.duplicates,
    missing: outcome.missing,
    seconds: (Date.now() - started) / 1000,
    extra,
  });
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
