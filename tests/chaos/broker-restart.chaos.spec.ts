import { endOffsetSum, waitFor } from '@streamscore/testing';
import { printAccounting } from './support/accounting';
import { chaosSize } from './support/chaos-size';
import { startChaosStack, type ChaosStack } from './support/chaos-stack';
import { prepareIngestion, readIngestionOutcome } from './support/ingestion-run';

const SIZE = chaosSize();
/** How long the broker stays down: longer than a session timeout, so groups must rejoin. */
const DOWN_MS = 8_000;

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
    const stopAt = Date.now();
    await chaos.stack.stopKafka();
    const notReady = await fetch(`${service.url}/health/ready`);
    await new Promise((r) => setTimeout(r, DOWN_MS));
    await chaos.stack.startKafka();
    const downSeconds = (Date.now() - stopAt) / 1000;

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
    expect(notReady.status).toBe(503);
    expect(readyAgain).toBe(true);
    expect(outcome).toEqual({ validated: run.valid, deadLettered: run.invalid, duplicates: 0, missing: 0 });
  }, 600_000);
});
