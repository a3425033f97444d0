import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { FeatureMaterializer, type FeatureRecord } from '@streamscore/features';
import {
  type FlightDeparture,
  type FlightOutcome,
  loadFlightFeatureViews,
} from '@streamscore/demo-flights/testing';

const HOUR_MS = 3_600_000;

/**
 * The inference test's materialization (demo/flights/testing/flight-stream.ts) for a week of
 * flights: both streams in time order (online equals offline), then one record per source 48 h past
 * the last event on an entity no flight has, which moves every watermark past all event times.
 * Written here because that helper spreads every outcome into Math.max, too many for the stack.
 */
export async function materializeWeek(
  redis: Redis,
  departures: readonly FlightDeparture[],
  outcomes: readonly FlightOutcome[],
): Promise<string> {
  const keyPrefix = `bench:${randomUUID()}:`;
  const materializer = new FeatureMaterializer(redis, loadFlightFeatureViews(), { keyPrefix });
  let last = 0;
  for (const o of outcomes) last = Math.max(last, o.knownAt, o.scheduledAt);
  const beyond = last + 48 * HOUR_MS;
  const sentinel = { eventId: 'watermark', origin: '~', destination: '~', distance: 1, delayMinutes: 0 };
  const sources: [string, FeatureRecord[]][] = [
    ['events', [...departures].sort((a, b) => a.scheduledAt - b.scheduledAt)],
    ['outcomes', [...outcomes].sort((a, b) => a.knownAt - b.knownAt)],
  ];
  for (const [source, records] of sources) {
    for (let i = 0; i < records.length; i += 500)
      await materializer.applyRecords(source, records.slice(i, i + 500));
    await materializer.applyRecords(source, [{ ...sentinel, scheduledAt: beyond, knownAt: beyond }]);
  }
  return keyPrefix;
}
