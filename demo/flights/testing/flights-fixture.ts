import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSingleObject, loadSchemaHistory } from '@streamscore/contracts';
import { parseFeatureViews, type FeatureView } from '@streamscore/features';
import { loadPipelineConfig } from '@streamscore/platform';
import { loadFlightsJson, toFlightEvents, type FlightDeparture, type FlightOutcome } from '../data';
import { PIPELINE } from './flight-stream';

/**
 * Test input for the features service: real flights (the demo's data, kept out of the service)
 * as canonical single-object Avro, and a pipeline file like the demo's whose views accept a day
 * of lateness. The fixture's outcomes are produced in scheduled, not known-at, order (a delay of
 * up to 8.7 h in flights-20k); with the demo's 30 min lateness the store would (correctly) drop
 * some as late, and the online values would differ from the offline ideal for a reason that is
 * not under test here. Not more than a day: a read as of t ends its windows at
 * bucketStart(t − lateness) (libs/features readCutoffOf), and with 400 days (before issue #19)
 * every window of the fixture would be empty. A day keeps them at the same time of day.
 */
export const DEMO_PIPELINE = PIPELINE;
export const TEST_LATENESS_MS = 86_400_000;

export interface FlightsFixture {
  readonly pipelineFile: string;
  readonly views: FeatureView[];
  readonly departures: FlightDeparture[];
  readonly outcomes: FlightOutcome[];
  readonly encodedDepartures: { key: string; value: Buffer }[];
  readonly encodedOutcomes: { key: string; value: Buffer }[];
  readonly encodeDeparture: (departure: FlightDeparture) => Buffer;
}

export function flightsFixture(count: number): FlightsFixture {
  const demo = loadPipelineConfig(DEMO_PIPELINE);
  const rawViews = JSON.parse(readFileSync(demo.featureViews, 'utf8')) as {
    views: Record<string, unknown>[];
  };
  const viewsDocument = {
    views: rawViews.views.map((view) => ({ ...view, allowedLatenessMs: TEST_LATENESS_MS })),
  };
  const dir = mkdtempSync(join(tmpdir(), 'features-svc-'));
  const viewsFile = join(dir, 'feature-views.json');
  writeFileSync(viewsFile, JSON.stringify(viewsDocument));
  const pipelineFile = join(dir, 'pipeline.json');
  writeFileSync(
    pipelineFile,
    JSON.stringify({
      streams: demo.streams,
      featureViews: viewsFile,
      modelRepository: demo.modelRepository,
      model: demo.model,
    }),
  );
  const { departures, outcomes } = toFlightEvents(loadFlightsJson('20k').slice(0, count));
  const departureType = loadSchemaHistory(demo.streams.events.schemaDir).latest.type;
  const outcomeType = loadSchemaHistory(demo.streams.outcomes.schemaDir).latest.type;
  return {
    pipelineFile,
    views: parseFeatureViews(viewsDocument, viewsFile),
    departures,
    outcomes,
    encodedDepartures: departures.map((d) => ({
      key: d.origin,
      value: encodeSingleObject(departureType, d),
    })),
    encodedOutcomes: outcomes.map((o) => ({ key: o.origin, value: encodeSingleObject(outcomeType, o) })),
    encodeDeparture: (departure) => encodeSingleObject(departureType, departure),
  };
}
