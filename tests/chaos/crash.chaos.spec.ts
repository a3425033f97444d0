import { TopicCatalogue } from '@streamscore/contracts';
import {
  createTestTopics,
  endOffsetSum,
  groupBacklog,
  randomName,
  readTopicToEnd,
  waitFor,
} from '@streamscore/testing';
import { printAccounting } from './support/accounting';
import { chaosSize } from './support/chaos-size';
import { startChaosStack, type ChaosStack } from './support/chaos-stack';
import {
  BASE,
  DRIFT_PIPELINE,
  HOUR,
  producePredictionHours,
  readDriftReports,
  SCHEMAS,
} from './support/drift-run';
import { prepareIngestion, readIngestionOutcome } from './support/ingestion-run';

const SIZE = chaosSize();

/**
 * Scenario 1 (issue 9): kill -9 each service mid-run, restart it, and check the exactly-once
 * accounting with read_committed readers (an open transaction left by the dead process would stall
 * them: they must finish with every record).
 */
describe('chaos: kill -9 mid-run', () => {
  let chaos: ChaosStack;

  beforeAll(async () => {
    chaos = await startChaosStack();
  }, 30 * 60_000);

  afterAll(async () => {
    await chaos.teardown();
  }, 120_000);

  it('ingestion: every input has exactly one outcome across two kill -9 and restarts', async () => {
    const started = Date.now();
    const run = await prepareIngestion(chaos, SIZE.events);
    const validatedTopic = run.catalogue.name('eventsValidated');
    let kills = 0;
    const backlogAtKills: number[] = [];
    // Two kills: at a fifth and at three fifths of the output (uncommitted writes count in the watermark).
    for (const share of [0.2, 0.6]) {
      const service = await chaos.start('ingestion', run.env);
      await waitFor(async () => (await endOffsetSum(chaos.admin, validatedTopic)) > run.valid * share, {
        timeoutMs: 180_000,
        intervalMs: 20,
      });
      await service.stop('SIGKILL');
      kills++;
      backlogAtKills.push(await groupBacklog(chaos.admin, run.groupId, run.catalogue.name('events')));
    }
    await chaos.start('ingestion', run.env);
    const outcome = await readIngestionOutcome(chaos.kafka, run);
    printAccounting({
      scenario: 'crash/ingestion',
      sent: run.valid + run.invalid,
      ...outcome,
      seconds: (Date.now() - started) / 1000,
      extra: { kills, backlogAtKills: backlogAtKills.join('/'), size: SIZE.label },
    });
    // Each kill landed mid-run: input was left for the next process.
    expect(backlogAtKills).toHaveLength(2);
    expect(backlogAtKills.every((backlog) => backlog > 0)).toBe(true);
    expect(outcome).toEqual({ validated: run.valid, deadLettered: run.invalid, duplicates: 0, missing: 0 });
  }, 600_000);

  it('drift-monitor: every closed window is reported exactly once across a kill -9', async () => {
    const started = Date.now();
    const prefix = randomName('chaosdrift');
    const catalogue = new TopicCatalogue({ prefix, partitions: 2 });
    await createTestTopics(chaos.admin, catalogue.all());
    // The same event count as the other runs, spread over 16 one-hour windows.
    const hours = 16;
    const perHour = Math.max(200, Math.floor(SIZE.events / hours));
    const env = {
      TOPIC_PREFIX: prefix,
      TOPIC_PARTITIONS: '2',
      STREAMSCORE_PIPELINE: DRIFT_PIPELINE,
      STREAMSCORE_SCHEMAS_DIR: SCHEMAS,
      STREAMSCORE_GROUP_ID: `${prefix}-group`,
      STREAMSCORE_DRIFT_WINDOW_MS: String(HOUR),
      STREAMSCORE_DRIFT_ALLOWED_LATENESS_MS: String(2 * HOUR),
      STREAMSCORE_DRIFT_MIN_WINDOW_EVENTS: '100',
      STREAMSCORE_DRIFT_MAX_BYTES_PER_PARTITION: '16384',
    };
    const reportsTopic = catalogue.name('driftReports');
    const producer = chaos.kafka.producer();
    await producer.connect();
    await producePredictionHours(producer, catalogue.name('predictions'), perHour, 0, 9);
    const first = await chaos.start('drift-monitor', env);
    // Hours 0–8 close windows 0–5 (watermark 8:59 − 2 h); kill once some are written.
    await waitFor(async () => (await endOffsetSum(chaos.admin, reportsTopic)) >= 2, {
      timeoutMs: 180_000,
      intervalMs: 20,
    });
    await first.stop('SIGKILL');
    const reportsAtKill = (await readTopicToEnd(chaos.kafka, reportsTopic, { timeoutMs: 60_000 })).length;
    await producePredictionHours(producer, catalogue.name('predictions'), perHour, 9, hours);
    await producer.disconnect();
    await chaos.start('drift-monitor', env);

    // Watermark 15:59 − 2 h closes windows 0–12.
    const closed = hours - 3;
    const reports = await readDriftReports(chaos.kafka, reportsTopic, closed);
    const windows = reports.map((r) => r.window.index - BASE / HOUR);
    const distinct = new Set(windows);
    const eventsCounted = reports.reduce((sum, r) => sum + r.events, 0);
    printAccounting({
      scenario: 'crash/drift-monitor',
      sent: hours * perHour,
      validated: hours * perHour,
      deadLettered: 0,
      predicted: hours * perHour,
      duplicates: windows.length - distinct.size,
      missing: closed - distinct.size,
      seconds: (Date.now() - started) / 1000,
      extra: {
        windowsReported: reports.length,
        reportsAtKill,
        eventsInReports: eventsCounted,
        size: SIZE.label,
      },
    });
    // The kill landed mid-run: windows were still to be reported by the restarted process.
    expect(reportsAtKill).toBeGreaterThan(0);
    expect(reportsAtKill).toBeLessThan(closed);
    expect([...windows].sort((a, b) => a - b)).toEqual(Array.from({ length: closed }, (_, i) => i));
    expect(new Set(reports.map((r) => r.reportId)).size).toBe(closed);
    // No event counted twice or dropped inside a window either.
    expect(reports.map((r) => r.events)).toEqual(Array.from({ length: closed }, () => perHour));
  }, 600_000);
});
