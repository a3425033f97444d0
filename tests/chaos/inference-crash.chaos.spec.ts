import { endOffsetSum, groupBacklog, waitFor } from '@streamscore/testing';
import { printAccounting } from './support/accounting';
import { chaosSize } from './support/chaos-size';
import { startChaosStack, type ChaosStack } from './support/chaos-stack';
import { compareWithOffline, prepareFeatures } from './support/features-run';
import {
  metricSum,
  prepareInference,
  printInferenceAccounting,
  readInferenceOutcome,
} from './support/inference-run';

const SIZE = chaosSize();
/** Departures whose features are compared with the offline computation after the features crash. */
const FEATURE_SAMPLES = 300;

/**
 * Scenario 1 (issue 9) for inference and features: kill -9 mid-run, restart, and check the
 * accounting with read_committed readers (an open transaction of the dead process would stall them).
 */
describe('chaos: kill -9 of inference and features mid-run', () => {
  let chaos: ChaosStack;

  beforeAll(async () => {
    chaos = await startChaosStack();
  }, 30 * 60_000);

  afterAll(async () => {
    await chaos.teardown();
  }, 120_000);

  it('inference: every validated event has exactly one prediction or dead letter across a kill -9', async () => {
    const started = Date.now();
    const run = await prepareInference(chaos, SIZE.inferenceEvents);
    const predictionsTopic = run.catalogue.name('predictions');
    const first = await chaos.start('inference', run.env);
    await waitFor(async () => (await endOffsetSum(chaos.admin, predictionsTopic)) > run.events * 0.3, {
      timeoutMs: 180_000,
      intervalMs: 20,
    });
    await first.stop('SIGKILL');
    const atKill = await endOffsetSum(chaos.admin, predictionsTopic);
    const backlogAtKill = await groupBacklog(chaos.admin, run.groupId, run.catalogue.name('eventsValidated'));
    const second = await chaos.start('inference', run.env);
    const outcome = await readInferenceOutcome(chaos.kafka, run);
    printInferenceAccounting('crash/inference', run, outcome, started, {
      killedAtOutputs: atKill,
      backlogAtKill,
      size: SIZE.label,
    });
    // The kill landed mid-run: input was left for the restarted process.
    expect(backlogAtKill).toBeGreaterThan(0);
    expect(outcome).toMatchObject({
      predicted: run.events,
      deadLettered: run.bad,
      duplicates: 0,
      missing: 0,
    });
    expect(second.child.exitCode).toBeNull();
  }, 600_000);

  it('features: online values equal the offline computation after a kill -9 and restart', async () => {
    const started = Date.now();
    const run = await prepareFeatures(chaos, SIZE.inferenceEvents);
    const topics = [run.catalogue.name('eventsValidated'), run.catalogue.name('outcomesValidated')];
    const lag = async (): Promise<number> =>
      (await groupBacklog(chaos.admin, run.groupId, topics[0] ?? '')) +
      (await groupBacklog(chaos.admin, run.groupId, topics[1] ?? ''));
    const first = await chaos.start('features', run.env);
    await waitFor(async () => (await lag()) < run.records * 0.6, { timeoutMs: 180_000, intervalMs: 20 });
    await first.stop('SIGKILL');
    const lagAtKill = await lag();
    const second = await chaos.start('features', run.env);
    await waitFor(async () => (await lag()) === 0, {
      timeoutMs: 180_000,
      intervalMs: 250,
      description: 'the restarted features service committed every record',
    });
    const comparison = await compareWithOffline(chaos, run, FEATURE_SAMPLES);
    // Records the restarted process re-read and the store refused by id (the replayed batches).
    const replayedRefused = await metricSum(second.url, 'features_records_total', { outcome: 'duplicate' });
    printAccounting({
      scenario: 'crash/features',
      sent: run.records,
      validated: run.records,
      deadLettered: 0,
      duplicates: comparison.overCounted,
      missing: comparison.underCounted,
      seconds: (Date.now() - started) / 1000,
      extra: {
        queries: comparison.queries,
        nonEmpty: comparison.nonEmpty,
        otherwiseDifferent: comparison.otherwiseDifferent,
        lagAtKill,
        replayedRefused,
        size: SIZE.label,
      },
    });
    expect(lagAtKill).toBeGreaterThan(0);
    expect(comparison).toMatchObject({ overCounted: 0, underCounted: 0, otherwiseDifferent: 0 });
    expect(comparison.nonEmpty).toBeGreaterThan(comparison.queries / 4);
    expect(second.child.exitCode).toBeNull();
  }, 600_000);
});
