import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeOfflineRows, parseFeatureViews } from '@streamscore/features';
import { ModelRepository, scoreEvents } from '@streamscore/models';
import { loadPipelineConfig } from '@streamscore/platform';
import { runCli } from './run-cli';

const PIPELINE = join(__dirname, '..', '..', '..', '..', 'demo', 'flights', 'pipeline.json');
const AIRPORTS = ['JFK', 'LAX', 'ORD', 'ATL', 'SFO'];
const START = Date.UTC(2001, 0, 20, 6, 0);

/** Departures every 7 minutes and their outcomes, with delays that vary by airport and hour. */
function flights(count: number): {
  departures: Record<string, unknown>[];
  outcomes: Record<string, unknown>[];
} {
  const departures: Record<string, unknown>[] = [];
  const outcomes: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const origin = AIRPORTS[i % AIRPORTS.length] as string;
    const destination = AIRPORTS[(i * 3 + 1) % AIRPORTS.length] as string;
    const scheduledAt = START + i * 7 * 60_000;
    const delayMinutes = ((i * 37) % 90) - 15;
    departures.push({
      eventId: `f${i}`,
      scheduledAt,
      origin,
      destination,
      distance: 300 + ((i * 211) % 2200),
    });
    outcomes.push({
      eventId: `f${i}`,
      scheduledAt,
      origin,
      destination,
      delayMinutes,
      knownAt: scheduledAt + delayMinutes * 60_000,
    });
  }
  return { departures, outcomes };
}

describe('streamscore score', () => {
  it('should give the same scores as scoreEvents on offline features for the same rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamscore-score-'));
    const { departures, outcomes } = flights(120);
    writeFileSync(join(dir, 'events.jsonl'), departures.map((d) => JSON.stringify(d)).join('\n'));
    writeFileSync(join(dir, 'outcomes.json'), JSON.stringify(outcomes));
    const out = join(dir, 'predictions.jsonl');

    const printed = await runCli(
      [
        'score',
        '--file',
        join(dir, 'events.jsonl'),
        '--outcomes',
        join(dir, 'outcomes.json'),
        '--out',
        out,
        '--batch-size',
        '50',
      ],
      { STREAMSCORE_PIPELINE: PIPELINE },
    );

    const pipeline = loadPipelineConfig(PIPELINE);
    const views = parseFeatureViews(
      JSON.parse(readFileSync(pipeline.featureViews, 'utf8')),
      pipeline.featureViews,
    );
    const repository = new ModelRepository(pipeline.modelRepository);
    const version = await repository.latestVersion(pipeline.model);
    const model = await repository.load(pipeline.model, version);
    const events: Record<string, unknown>[] = departures.map((d) => ({ ...d, carrier: null }));
    const online = computeOfflineRows(
      views,
      { events, outcomes },
      events.map((record) => ({ record, atMs: Number(record['scheduledAt']) })),
    );
    const expected = await scoreEvents(model, events, online);
    await model.session.release();

    const predictions = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as { eventId: string; score: number; entityKey: string; modelVersion: string },
      );
    expect(printed).toContain(`scored 120 event(s) with ${pipeline.model} v${version}`);
    expect(expected.issues).toEqual([]);
    expect(predictions.map((p) => p.eventId)).toEqual(events.map((e) => e['eventId']));
    predictions.forEach((prediction, row) => {
      expect(prediction.score).toBeCloseTo(expected.scores[row] ?? Number.NaN, 6);
      expect(prediction.entityKey).toBe(events[row]?.['origin']);
      expect(prediction.modelVersion).toBe(String(version));
    });
    // The outcomes matter: without them the outcome-based features are empty and scores move.
    const withoutOutcomes = join(dir, 'no-outcomes.jsonl');
    await runCli(['score', '--file', join(dir, 'events.jsonl'), '--out', withoutOutcomes], {
      STREAMSCORE_PIPELINE: PIPELINE,
    });
    const blind = readFileSync(withoutOutcomes, 'utf8')
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { score: number }).score);
    expect(blind.some((score, row) => Math.abs(score - (predictions[row]?.score ?? 0)) > 1e-6)).toBe(true);
  }, 60_000);
});
