import { ContentTypes, Headers, TopicCatalogue } from '@streamscore/contracts';
import { computeOffline, entityOf, FeatureReader, type FeatureValues } from '@streamscore/features';
import { createRedis } from '@streamscore/platform';
import { createTestTopics, randomName } from '@streamscore/testing';
import { flightsFixture, type FlightsFixture } from '@streamscore/demo-flights/testing';
import type { ChaosStack } from './chaos-stack';

/** A features run: both validated streams produced, the service settings, the key prefix. */
export interface FeaturesRun {
  readonly catalogue: TopicCatalogue;
  readonly groupId: string;
  readonly keyPrefix: string;
  readonly fixture: FlightsFixture;
  readonly records: number;
  readonly env: Record<string, string>;
}

export async function prepareFeatures(chaos: ChaosStack, flights: number): Promise<FeaturesRun> {
  const prefix = randomName('chaosfeat');
  const catalogue = new TopicCatalogue({ prefix, partitions: 3 });
  await createTestTopics(chaos.admin, catalogue.all());
  // Views that accept any lateness (the fixture's reason: partitions run apart in event time).
  const fixture = flightsFixture(flights);
  const producer = chaos.kafka.producer();
  await producer.connect();
  const headers = { [Headers.contentType]: ContentTypes.avro };
  for (const [topic, messages] of [
    [catalogue.name('eventsValidated'), fixture.encodedDepartures],
    [catalogue.name('outcomesValidated'), fixture.encodedOutcomes],
  ] as const) {
    for (let i = 0; i < messages.length; i += 2_000)
      await producer.send({ topic, messages: messages.slice(i, i + 2_000).map((m) => ({ ...m, headers })) });
  }
  await producer.disconnect();
  const groupId = `${prefix}-group`;
  const keyPrefix = `${prefix}:`;
  return {
    catalogue,
    groupId,
    keyPrefix,
    fixture,
    records: fixture.departures.length + fixture.outcomes.length,
    env: {
      REDIS_URL: chaos.stack.redisUrl,
      REDIS_KEY_PREFIX: keyPrefix,
      TOPIC_PREFIX: prefix,
      TOPIC_PARTITIONS: '3',
      STREAMSCORE_PIPELINE: fixture.pipelineFile,
      STREAMSCORE_GROUP_ID: groupId,
      // Small batches, few at a time: the kill lands while offsets are still moving.
      STREAMSCORE_MAX_BATCH_ROWS: '100',
      STREAMSCORE_PARTITIONS_CONCURRENTLY: '2',
      STREAMSCORE_SESSION_TIMEOUT_MS: '6000',
    },
  };
}

export interface FeatureComparison {
  readonly queries: number;
  /** Readings with a `.count` above the offline one: a record counted twice. */
  readonly overCounted: number;
  /** Readings with a `.count` below the offline one: a record lost. */
  readonly underCounted: number;
  /** Readings that differ otherwise (sums, means, min/max/last beyond 1e-9). */
  readonly otherwiseDifferent: number;
  /** Readings with at least one record in the window (the sample is not all empty windows). */
  readonly nonEmpty: number;
}

/**
 * Reads `samples` departures' features (each view, as of the departure's own time) straight from
 * the online store and compares them with computeOffline over every record of the run.
 */
export async function compareWithOffline(
  chaos: ChaosStack,
  run: FeaturesRun,
  samples: number,
): Promise<FeatureComparison> {
  const { fixture } = run;
  const events = Array.from(
    { length: samples },
    (_, i) => fixture.departures[Math.floor((i * fixture.departures.length) / samples)],
  ).filter((e) => e !== undefined);
  const redis = createRedis({ url: chaos.stack.redisUrl });
  let overCounted = 0;
  let underCounted = 0;
  let otherwiseDifferent = 0;
  let nonEmpty = 0;
  let queries = 0;
  try {
    const reader = new FeatureReader(redis, fixture.views, { keyPrefix: run.keyPrefix });
    for (const view of fixture.views) {
      const asked = events.flatMap((e) => {
        const entity = entityOf(view, e);
        return entity === undefined ? [] : [{ view: view.name, entity, atMs: e.scheduledAt }];
      });
      const source = view.source === 'events' ? fixture.departures : fixture.outcomes;
      const offline = computeOffline(view, source, asked);
      const online = await reader.readBatch(asked, { deadlineMs: 10_000 });
      queries += asked.length;
      online.forEach((reading, i) => {
        const verdict = compareValues(reading.values, offline[i] ?? {});
        if (verdict === 'over') overCounted++;
        else if (verdict === 'under') underCounted++;
        else if (verdict === 'different') otherwiseDifferent++;
        if (Object.entries(reading.values).some(([k, v]) => k.endsWith('.count') && (v ?? 0) > 0)) nonEmpty++;
      });
    }
  } finally {
    await redis.quit();
  }
  return { queries, overCounted, underCounted, otherwiseDifferent, nonEmpty };
}

function compareValues(
  online: FeatureValues,
  offline: FeatureValues,
): 'same' | 'over' | 'under' | 'different' {
  let verdict: 'same' | 'different' = 'same';
  for (const name of new Set([...Object.keys(online), ...Object.keys(offline)])) {
    const got = online[name];
    const want = offline[name];
    if (name.endsWith('.count') && typeof got === 'number' && typeof want === 'number') {
      if (got > want) return 'over';
      if (got < want) return 'under';
    } else if (typeof got === 'number' && typeof want === 'number') {
      if (Math.abs(got - want) > 1e-9) verdict = 'different';
    } else if (got !== want) verdict = 'different';
  }
  return verdict;
}
