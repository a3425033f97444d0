import { endOffsetSum, groupBacklog, readTopicToEnd, waitFor } from '@streamscore/testing';
import { printAccounting } from './support/accounting';
import { chaosSize } from './support/chaos-size';
import { startChaosStack, type ChaosStack } from './support/chaos-stack';
import {
  expectedDriftOutcome,
  prepareDriftRun,
  producePredictionHours,
  readDriftOutcome,
  windowsClosedBy,
} from './support/drift-run';
import { prepareIngestion, readIngestionOutcome } from './support/ingestion-run';
import { metricSum } from './support/inference-run';

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
    const last = await chaos.start('ingestion', run.env);
    const outcome = await readIngestionOutcome(chaos.kafka, run);
    // Records the last kill left written but uncommitted came back with their event-id claims held
    // by their own positions: replays, none a DUPLICATE (the accounting below counts dead letters).
    const replayedClaims = await metricSum(last.url, 'ingestion_replayed_claims_total');
    printAccounting({
      scenario: 'crash/ingestion',
      sent: run.valid + run.invalid,
      ...outcome,
      seconds: (Date.now() - started) / 1000,
      extra: { kills, backlogAtKills: backlogAtKills.join('/'), replayedClaims, size: SIZE.label },
    });
    // Each kill landed mid-run: input was left for the next process.
    expect(backlogAtKills).toHaveLength(2);
    expect(backlogAtKills.every((backlog) => backlog > 0)).toBe(true);
    expect(outcome).toEqual({ validated: run.valid, deadLettered: run.invalid, duplicates: 0, missing: 0 });
    expect(replayedClaims).toBeGreaterThan(0);
  }, 600_000);

  it('drift-monitor: every closed window is reported exactly once across a kill -9', async () => {
    const started = Date.now();
    // The same event count as the other runs, spread over 16 one-hour windows.
    const run = await prepareDriftRun(chaos, SIZE.events);
    const producer = chaos.kafka.producer();
    await producer.connect();
    await producePredictionHours(producer, run.predictionsTopic, run.perHour, 0, 9);
    const first = await chaos.start('drift-monitor', run.env);
    // Hours 0–8 close windows 0–5 (watermark 8:59 − 2 h); kill once some are written.
    await waitFor(async () => (await endOffsetSum(chaos.admin, run.reportsTopic)) >= 2, {
      timeoutMs: 180_000,
      intervalMs: 20,
    });
    await first.stop('SIGKILL');
    const reportsAtKill = (await readTopicToEnd(chaos.kafka, run.reportsTopic, { timeoutMs: 60_000 })).length;
    await producePredictionHours(producer, run.predictionsTopic, run.perHour, 9, run.hours);
    await producer.disconnect();
    await chaos.start('drift-monitor', run.env);

    // Watermark 15:59 − 2 h closes windows 0–12.
    const outcome = await readDriftOutcome(chaos.kafka, run, 'crash/drift-monitor', started, {
      reportsAtKill,
      size: SIZE.label,
    });
    // The kill landed mid-run: windows were still to be reported by the restarted process.
    expect(reportsAtKill).toBeGreaterThan(0);
    expect(reportsAtKill).toBeLessThan(windowsClosedBy(run.hours));
    // Each window once, and no event counted twice or dropped inside a window either.
    expect(outcome).toEqual(expectedDriftOutcome(run));
  }, 600_000);
});
