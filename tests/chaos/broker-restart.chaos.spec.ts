import { endOffsetSum, scrape, sumMetric, waitFor } from '@streamscore/testing';
import { printAccounting } from './support/accounting';
import { chaosSize } from './support/chaos-size';
import {
  BROKER_DOWN_MS,
  restartBroker,
  startChaosStack,
  transportEvents,
  type ChaosStack,
} from './support/chaos-stack';
import {
  expectedDriftOutcome,
  prepareDriftRun,
  producePredictionHours,
  readDriftOutcome,
  windowsClosedBy,
} from './support/drift-run';
import { prepareIngestion, readIngestionOutcome } from './support/ingestion-run';

const SIZE = chaosSize();
/** The event-time hours produced before the restart (the rest after it). */
const HOURS_BEFORE = 9;

/**
 * Scenario 2 (issue 9): stop and restart the broker mid-run. The service is not restarted: it
 * must reconnect by itself, and the exactly-once accounting must still hold.
 */
describe('chaos: broker restart mid-run', () => {
  let chaos: ChaosStack;

  beforeAll(async () => {
    chaos = await startChaosStack();
  }, 30 * 60_000);

  afterAll(async () => {
    await chaos.teardown();
  }, 120_000);

  it('ingestion reconnects by itself and every input still has exactly one outcome', async () => {
    const started = Date.now();
    const run = await prepareIngestion(chaos, SIZE.events, { STREAMSCORE_MAX_BATCH_ROWS: '200' });
    const service = await chaos.start('ingestion', run.env);
    await waitFor(
      async () => (await endOffsetSum(chaos.admin, run.catalogue.name('eventsValidated'))) > run.valid * 0.2,
      { timeoutMs: 180_000, intervalMs: 20 },
    );
    const { downSeconds, during: notReady } = await restartBroker(chaos, BROKER_DOWN_MS, () =>
      fetch(`${service.url}/health/ready`),
    );

    const outcome = await readIngestionOutcome(chaos.kafka, run, 300_000);
    const readyAgain = await waitFor(
      async () => (await fetch(`${service.url}/health/ready`)).status === 200,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    printAccounting({
      scenario: 'broker-restart/ingestion',
      sent: run.valid + run.invalid,
      ...outcome,
      seconds: (Date.now() - started) / 1000,
      extra: { brokerDownSeconds: downSeconds.toFixed(1), size: SIZE.label },
    });
    expect(service.child.exitCode).toBeNull();
    expect(notReady?.status).toBe(503);
    expect(readyAgain).toBe(true);
    expect(outcome).toEqual({ validated: run.valid, deadLettered: run.invalid, duplicates: 0, missing: 0 });
  }, 600_000);

  it('drift-monitor reconnects by itself and reports every closed window exactly once', async () => {
    const started = Date.now();
    const run = await prepareDriftRun(chaos, SIZE.events);
    // Idempotent: a send retried across the restart must not write a prediction twice.
    const producer = chaos.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producePredictionHours(producer, run.predictionsTopic, run.perHour, 0, HOURS_BEFORE);
    const service = await chaos.start('drift-monitor', run.env);
    // Hours 0–8 close windows 0–5; stop the broker once the first are written.
    await waitFor(async () => (await endOffsetSum(chaos.admin, run.reportsTopic)) >= 2, {
      timeoutMs: 180_000,
      intervalMs: 20,
    });
    // Windows this process delivered before the stop, and by the time the broker was down.
    const reported = async (): Promise<number> =>
      sumMetric(await scrape(service.url), 'drift_windows_evaluated_total');
    const reportedAtStop = await reported();
    const { downSeconds, during: reportedWhenDown } = await restartBroker(chaos, BROKER_DOWN_MS, reported);
    // The remaining hours close windows 6–12: only a monitor that reconnected can report them, and
    // windows 6–8 were open across the restart (counted from records read before and after it).
    await producePredictionHours(producer, run.predictionsTopic, run.perHour, HOURS_BEFORE, run.hours);
    await producer.disconnect();

    const outcome = await readDriftOutcome(chaos.kafka, run, 'broker-restart/drift-monitor', started, {
      reportedAtStop,
      reportedWhenDown: reportedWhenDown ?? -1,
      ...transportEvents([service]),
      brokerDownSeconds: downSeconds.toFixed(1),
      size: SIZE.label,
    });
    expect(service.child.exitCode).toBeNull();
    // The stop landed mid-run: windows of the input read before it were still to be reported.
    expect(reportedAtStop).toBeLessThan(windowsClosedBy(HOURS_BEFORE));
    // Each window once, counting exactly its hour's predictions.
    expect(outcome).toEqual(expectedDriftOutcome(run));
  }, 600_000);
});
