import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Prediction } from '@streamscore/contracts';
import { loadPipelineConfig } from '@streamscore/platform';
import { waitFor } from '@streamscore/testing';
import { runCli, type DeadLetterRow } from '@streamscore/cli/testing';
import { startDemo, type DemoProcess, type DemoReport } from './test/demo-process';
import {
  awaitFeaturesCommitted,
  jsonLines,
  payloadEventId,
  readMessages,
  readRecords,
  repeatedIds,
  topicOf,
} from './test/demo-topics';

/**
 * End to end: the four services as separate processes on the real stack, fed by the demo's
 * replay of real flights (the held-out end of January, then June). Sizes from the environment so
 * the same test runs larger outside CI.
 */
const EVENTS = Number(process.env['STREAMSCORE_E2E_EVENTS'] ?? 50_000);
const RESTART_EVENTS = Number(process.env['STREAMSCORE_E2E_RESTART_EVENTS'] ?? 20_000);
const ROOT = resolve(__dirname, '..');
const PIPELINE = join(ROOT, 'demo', 'flights', 'pipeline.json');
const PREDICTION_SCHEMAS = join(ROOT, 'schemas', 'prediction');
const DAY_MS = 86_400_000;
/** The replayed flights `score` is checked on: four morning hours of January 31 (replayed first). */
const WINDOW_FROM_MS = Date.UTC(2001, 0, 31, 6);
const WINDOW_TO_MS = Date.UTC(2001, 0, 31, 10);
/** 21 weeks on (same weekday): June 27, more than a day past anything the replay wrote. */
const SHIFT_MS = 147 * DAY_MS;
const SCORE_TOLERANCE = 1e-5;

type FlightRecord = Record<string, unknown>;

describe('end to end: events in → predictions out → drift alert out', () => {
  describe('one replay, then the CLI against the running services', () => {
    const pipeline = loadPipelineConfig(PIPELINE);
    const dir = mkdtempSync(join(tmpdir(), 'streamscore-e2e-cli-'));
    let demo: DemoProcess | undefined;
    let report: DemoReport;
    /** Events sent after the accounting, so the later counts can include them. */
    let extraEvents = 0;
    let replayed: Promise<{ departures: FlightRecord[]; outcomes: FlightRecord[] }> | undefined;
    /** The replay's validated departures and outcomes, read once. */
    const replay = () =>
      (replayed ??= Promise.all([
        readRecords(report, 'eventsValidated', pipeline.streams.events.schemaDir, report.validated),
        // Every outcome the replay produced: the accounting waits for the events only, and under
        // CI load ingestion was still writing outcomes when a read that stops at the first quiet
        // moment ended (it once missed every outcome of the window the `score` test shifts).
        readRecords(
          report,
          'outcomesValidated',
          pipeline.streams.outcomes.schemaDir,
          report.outcomesProduced,
        ),
      ]).then(([departures, outcomes]) => ({ departures, outcomes })));
    const cliEnv = (): Record<string, string> => ({
      TOPIC_PREFIX: report.topicPrefix,
      TOPIC_PARTITIONS: String(report.partitions),
      STREAMSCORE_PIPELINE: PIPELINE,
    });

    afterAll(async () => {
      await demo?.stop();
    }, 120_000);

    it(`should account for every one of ${EVENTS} replayed flights and raise a drift alert in June`, async () => {
      demo = startDemo(['--events', String(EVENTS), '--rate', '0', '--keep-running']);
      report = await demo.report;
      expect(report.produced).toBe(EVENTS);
      expect(report.validated + report.deadLettered).toBe(report.produced);
      expect(report.predicted + report.predictionDeadLettered).toBe(report.validated);
      expect(report.duplicatePredictions).toBe(0);
      expect(report.missingPredictions).toBe(0);
      expect(report.driftAlerts).toBeGreaterThanOrEqual(1);
      // The services' own counters equal the accounting read back from the topics.
      expect(report.metrics).toMatchObject({
        validated: report.validated,
        deadLettered: report.deadLettered,
        predicted: report.predicted,
        predictionDeadLettered: report.predictionDeadLettered,
      });
      expect(report.accountedFor).toBe(true);
      // At --rate 0 each partition's backlog reaches the features service hours of event time
      // apart; the source watermark holds for the slower partitions and for what ingestion has yet
      // to write (its committed event-time progress), so no update is dropped as late — nor a
      // prediction by the drift monitor, whose windows wait on inference's and ingestion's progress.
      const { featureUpdatesApplied: applied, featureUpdatesLate: late, driftLateRecords } = report.metrics;
      process.stdout.write(
        `feature updates: ${applied} applied, ${late} late; drift late records ${driftLateRecords}\n`,
      );
      expect(applied).toBeGreaterThan(0);
      expect(late).toBe(0);
      expect(driftLateRecords).toBe(0);
    }, 900_000);

    /*
     * One origin's flights (one partition per topic, in time order: none can be late), shifted
     * into an untouched stretch of time: `produce` the outcomes, then the events, then `score`
     * the same two files, and compare with what the running services predicted. Not flagged
     * staleFeatures is not required: a shifted batch may be scored before the feature watermark
     * (held by the other partitions until they are idle) reaches it; its values are complete all
     * the same, since the features service applies this partition's one batch well within
     * inference's 500 ms feature wait.
     */
    it('`streamscore score` should give, to 1e-5, the score and model version the services gave to the same produced flights', async () => {
      const { departures, outcomes } = await replay();
      const inWindow = (time: unknown): boolean =>
        Number(time) >= WINDOW_FROM_MS && Number(time) < WINDOW_TO_MS;
      const perOrigin = new Map<string, number>();
      for (const d of departures.filter((d) => inWindow(d['scheduledAt']))) {
        const origin = String(d['origin']);
        perOrigin.set(origin, (perOrigin.get(origin) ?? 0) + 1);
      }
      const [origin] = [...perOrigin].sort((a, b) => b[1] - a[1])[0] ?? [''];
      const shifted = (record: FlightRecord, timeFields: readonly string[]): FlightRecord => {
        const copy: FlightRecord = { ...record, eventId: `shifted-${String(record['eventId'])}` };
        for (const field of timeFields) copy[field] = Number(record[field]) + SHIFT_MS;
        return copy;
      };
      const byTime = (field: string) => (a: FlightRecord, b: FlightRecord) =>
        Number(a[field]) - Number(b[field]);
      const events = departures
        .filter((d) => d['origin'] === origin && inWindow(d['scheduledAt']))
        .sort(byTime('scheduledAt'))
        .map((d) => shifted(d, ['scheduledAt']));
      const known = outcomes
        .filter((o) => o['origin'] === origin && inWindow(o['knownAt']))
        .sort(byTime('knownAt'))
        .map((o) => shifted(o, ['scheduledAt', 'knownAt']));
      const eventsFile = join(dir, 'events.jsonl');
      const outcomesFile = join(dir, 'outcomes.jsonl');
      writeFileSync(eventsFile, jsonLines(events));
      writeFileSync(outcomesFile, jsonLines(known));

      expect(known.length).toBeGreaterThan(100);
      // Outcomes first, validated and applied to the online store before the events are sent: the
      // two paths are separate, and under CI load the outcomes' (ingestion, then features) can take
      // longer than inference's 500 ms feature wait.
      await runCli(['produce', '--stream', 'outcomes', '--file', outcomesFile], cliEnv());
      await readMessages(report, 'outcomesValidated', outcomes.length + known.length);
      await awaitFeaturesCommitted(report, 'outcomesValidated');
      await runCli(['produce', '--stream', 'events', '--file', eventsFile], cliEnv());
      extraEvents += events.length;
      const ids = new Set(events.map((e) => String(e['eventId'])));
      const served = (
        await readRecords<Prediction>(
          report,
          'predictions',
          PREDICTION_SCHEMAS,
          report.predicted + extraEvents,
        )
      ).filter((p) => ids.has(p.eventId));
      expect(served).toHaveLength(events.length);

      const out = join(dir, 'scores.jsonl');
      const printed = await runCli(
        ['score', '--file', eventsFile, '--outcomes', outcomesFile, '--out', out],
        cliEnv(),
      );
      expect(printed).toContain(`scored ${events.length} event(s)`);
      const offline = new Map(
        readFileSync(out, 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as Prediction)
          .map((p) => [p.eventId, p]),
      );
      expect(served.length).toBeGreaterThanOrEqual(100);
      // The outcome windows hold delays, so agreement is not an accident of empty windows.
      expect(served.filter((p) => (p.features['origin_delay_3h.count'] ?? 0) > 0).length).toBeGreaterThan(
        served.length / 2,
      );
      const disagreements = served.flatMap((service) => {
        const cli = offline.get(service.eventId);
        if (
          cli !== undefined &&
          Math.abs(cli.score - service.score) <= SCORE_TOLERANCE &&
          cli.modelVersion === service.modelVersion
        )
          return [];
        const features = Object.keys(service.features).filter(
          (name) => cli?.features[name] !== service.features[name],
        );
        return [
          `${service.eventId}: service ${service.score} v${service.modelVersion}, cli ${String(cli?.score)} v${String(cli?.modelVersion)}; features differing: ${features.join(', ')}`,
        ];
      });
      expect(disagreements.slice(0, 5)).toEqual([]);
    }, 300_000);

    it('`streamscore dlq resend` of a repaired dead letter should get exactly one prediction from the services', async () => {
      const { departures } = await replay();
      // A replayed departure (its features are long complete) under an id nobody used.
      const template = departures.find((d) => Number(d['scheduledAt']) >= WINDOW_FROM_MS);
      if (template === undefined) throw new Error('no replayed departure in the window');
      const eventId = `repaired-${report.topicPrefix}`;
      const repaired = { ...template, eventId };
      const badFile = join(dir, 'bad.jsonl');
      writeFileSync(badFile, jsonLines([{ ...repaired, distance: 'far' }]));
      await runCli(['produce', '--stream', 'events', '--file', badFile, '--encoding', 'json'], cliEnv());

      const row = await waitFor(
        async () => {
          const listed = await runCli(['dlq', 'list', '--code', 'INVALID_FIELD'], cliEnv());
          const rows = listed
            .split('\n')
            .filter((line) => line.trim() !== '')
            .map((line) => JSON.parse(line) as DeadLetterRow);
          return rows.find((r) => payloadEventId(r) === eventId) ?? false;
        },
        { timeoutMs: 120_000, intervalMs: 1_000, description: `dead letter of ${eventId}` },
      );
      expect(row.fields).toEqual(['distance']);
      const repairFile = join(dir, 'repair.jsonl');
      writeFileSync(repairFile, jsonLines([{ ...row, record: repaired }]));
      const resent = await runCli(
        ['dlq', 'resend', '--offsets', `${row.partition}:${row.offset}`, '--repair', repairFile],
        cliEnv(),
      );
      expect(resent).toContain(`re-sent 1 dead letter(s) to ${topicOf(report, 'events')}\n`);

      const predicted = report.predicted + extraEvents + 1;
      const predictions = await readRecords<Prediction>(report, 'predictions', PREDICTION_SCHEMAS, predicted);
      const ours = predictions.filter((p) => p.eventId === eventId);
      expect(ours).toHaveLength(1);
      expect(ours[0]).toMatchObject({ entityKey: template['origin'], eventTime: template['scheduledAt'] });
      expect(predictions).toHaveLength(predicted);
      expect(repeatedIds(predictions.map((p) => p.eventId))).toEqual([]);
      // The gate saw the bad record once (one dead letter) and the repair once (one validated event).
      const [validated, dead, predictionDead] = await Promise.all([
        readRecords(
          report,
          'eventsValidated',
          pipeline.streams.events.schemaDir,
          report.validated + extraEvents + 1,
        ),
        readMessages(report, 'eventsDeadLetter', report.deadLettered + 1),
        readMessages(report, 'predictionsDeadLetter'),
      ]);
      expect(validated.filter((d) => d['eventId'] === eventId)).toHaveLength(1);
      expect(validated).toHaveLength(report.validated + extraEvents + 1);
      expect(dead).toHaveLength(report.deadLettered + 1);
      expect(predictionDead).toHaveLength(report.predictionDeadLettered);
    }, 300_000);

    it('should stop the four services on Ctrl-C and exit 0 (every event accounted for)', async () => {
      const running = demo;
      demo = undefined;
      expect(await running?.stop()).toBe(0);
    }, 120_000);
  });

  it('should stop each service on SIGTERM within its grace period, committing its in-flight batch', async () => {
    const demo = startDemo(['--events', String(RESTART_EVENTS), '--rate', '4000', '--restart-services']);
    const code = await demo.exited;
    const report = await demo.report;
    expect(report.restarts.map((r) => r.service)).toEqual([
      'ingestion',
      'features',
      'inference',
      'drift-monitor',
    ]);
    for (const r of report.restarts) {
      expect(r.exitCode).toBe(0);
      expect(r.stopMs).toBeLessThan(30_000);
    }
    expect(report.accountedFor).toBe(true);
    expect(report.duplicatePredictions).toBe(0);
    expect(report.missingPredictions).toBe(0);
    expect(code).toBe(0);
  }, 900_000);
});
