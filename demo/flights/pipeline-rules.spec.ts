import { join } from 'node:path';
import { createDecoder, loadSchemaHistory } from '@streamscore/contracts';
import { inputChecks, loadPipelineConfig } from '@streamscore/platform';
import { loadFlightsJson, toFlightEvents } from './data';

/**
 * The demo's pipeline states its rules (issue #18 item 7); none may dead-letter real data. The
 * 20k cut is checked here (the 3M-row parquet file was checked once by hand: distances 21 to 4962
 * miles, delays -1116 to 1688 minutes, times within 2000-12-31 to 2001-07-01, codes 3 characters).
 */
const pipeline = loadPipelineConfig(join(__dirname, 'pipeline.json'));

describe('the flights pipeline rules', () => {
  const { departures, outcomes } = toFlightEvents(loadFlightsJson('20k'));

  it.each([
    ['events', departures],
    ['outcomes', outcomes],
  ] as const)('should pass every %s record of the real data', (stream, records) => {
    const decoder = createDecoder(
      loadSchemaHistory(pipeline.streams[stream].schemaDir),
      inputChecks(pipeline, stream),
    );
    const refused = records.map((r) => decoder.fromJson(r)).filter((result) => !result.ok);
    expect(refused.slice(0, 3)).toEqual([]);
    expect(records.length).toBe(20_000);
  });

  it('should refuse the absurd values a user sent', () => {
    const decoder = createDecoder(
      loadSchemaHistory(pipeline.streams.events.schemaDir),
      inputChecks(pipeline, 'events'),
    );
    const good = departures[0]!;
    for (const bad of [
      { scheduledAt: -1 },
      { scheduledAt: 0 },
      { scheduledAt: Date.UTC(0, 0, 1) },
      { scheduledAt: Date.UTC(10_000, 0, 1) },
      { distance: -5 },
      { eventId: '' },
      { origin: '' },
    ]) {
      const result = decoder.fromJson({ ...good, ...bad });
      expect(result).toMatchObject({ ok: false, code: 'OUT_OF_RANGE', fields: Object.keys(bad) });
    }
    expect(decoder.fromJson({ ...good, distance: -5 })).toMatchObject({
      reason: 'distance is -5; the pipeline allows 0 to 12500',
    });
  });
});
